"""No one's ID card number or mobile number in the free text the app keeps and shows to others:
a request's topic and details, a visit's notes and rating comment, and the reasons of a
decline, a swap (asked, refused, rejected) and a request's hand-over or cancellation.

The text is normalised before it is matched, so the usual ways of writing a number pass no
more: full-width digits (１３８…) and letters become ASCII (NFKC), and spaces and dashes
between digits are dropped ("138 1234 5678", "138-1234-5678", "+86 138…", an ID number in
groups). Numbers written in Chinese characters (一三八…) are not recognised.
"""
from __future__ import annotations

import re
import unicodedata

# An ID card number: 17 digits (the first not 0) and a check digit or X.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
# A mainland mobile number, with or without the country code (+86, 0086, 86).
MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86)?1[3-9][0-9]{9}(?![0-9])")
# Spaces (any, the ideographic one included after NFKC) and dashes between two digits (or a
# digit and an ID number's final X).
_SEPARATORS = re.compile(r"(?<=[0-9])[\s\-\u2010-\u2015\u2212\u30fc]+(?=[0-9Xx])")


def normalised(text: str) -> str:
    """`text` as it is matched: NFKC, without the spaces and dashes between digits."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def has_personal_data(text: str | None) -> bool:
    """True when `text` holds something written like an ID card or mobile number."""
    if not text:
        return False
    plain = normalised(text)
    return bool(ID_NUMBER.search(plain) or MOBILE.search(plain))
