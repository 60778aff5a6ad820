"""Files the app hands out (exports, records, rosters, posters, templates): the name a browser
saves them under is made from user text (a district's, a village's or a person's name), so it
is made safe before it reaches the Content-Disposition header.

A CR or LF there made the header invalid (werkzeug refuses it: the download answered 500);
a slash, a backslash or a quote would be kept by some browsers. `safe_filename` turns every
run of control characters and of the characters file systems refuse into one space, keeps the
extension and shortens a long name; werkzeug's `send_file` then writes the header as RFC 6266
asks: `filename=` with an ASCII stand-in and `filename*=UTF-8''...` with the real name.
"""
from __future__ import annotations

import io
import re
import unicodedata

from flask import Response, send_file

# Control characters (C0, DEL, C1), the Unicode line separators, and what Windows, macOS or
# Linux refuse or treat specially in a file name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029/\\"<>:|?*]+')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
MAX_STEM = 100  # characters before the extension (about 300 bytes of Chinese in UTF-8)


def safe_filename(name: str, fallback: str = "download") -> str:
    """`name` as a file name that is safe in a header and on disk: NFC, one line, no path
    separators or quotes, no leading dot, at most MAX_STEM characters plus the extension."""
    text = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", name)).split())
    found = _EXTENSION.search(text)
    extension = found.group(0) if found else ""
    stem = text[: len(text) - len(extension)].strip(" .")[:MAX_STEM].strip(" .")
    return (stem or fallback) + extension


def attachment(data: bytes, name: str, mimetype: str) -> Response:
    """`data` as a download named after `name`, made safe."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=safe_filename(name))
