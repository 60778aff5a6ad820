"""How strong a new password is: a length floor, then zxcvbn's estimate of how many guesses it
would take (Dropbox's estimator: common-password lists, English words, names, keyboard rows,
repeats, sequences, dates, and the account's own username and name).

A password is refused when the estimate is below `MIN_SCORE` (3: about 10^8 guesses, "safely
unguessable" for an online attacker and for a stolen slow hash). The refusal names the weakest
part that zxcvbn found, as a `reason` code the web layer shows in the reader's language:

    personal   it is built on the username or the person's name
    common     it is, or is close to, one of the most used passwords
    keyboard   a row or pattern of neighbouring keys (qwertyuiop, 1qaz2wsx)
    repeat     repeated characters or words (aaaaaa, abcabc)
    sequence   a run like abcdef or 98765
    date       a date or a recent year
    words      one or two common words or names
    guessable  none of these alone, but short or simple overall
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn's own ceiling (its time grows with the length): longer passwords are judged by their
# first characters, which is conservative.
ESTIMATE_CHARS = 72
REASONS = ("personal", "common", "keyboard", "repeat", "sequence", "date", "words", "guessable")


@dataclass(frozen=True)
class Strength:
    score: int  # 0-4, zxcvbn's scale
    reason: str | None  # one of REASONS when weak, else None

    @property
    def ok(self) -> bool:
        return self.reason is None


def estimate(password: str, personal: Iterable[str | None] = ()) -> Strength:
    """The strength of `password`; `personal` are the account's own words (username, name)."""
    inputs = [word for word in personal if word]
    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=inputs, max_length=ESTIMATE_CHARS)
    score = int(result["score"])
    if score >= MIN_SCORE:
        return Strength(score, None)
    return Strength(score, _reason(result["sequence"]))


def _reason(matches: list[dict]) -> str:
    kinds = set()
    for match in matches:
        pattern = match.get("pattern")
        if pattern == "dictionary":
            name = match.get("dictionary_name")
            kinds.add("personal" if name == "user_inputs" else "common" if name == "passwords" else "words")
        elif pattern == "spatial":
            kinds.add("keyboard")
        elif pattern == "repeat":
            kinds.add("repeat")
        elif pattern == "sequence":
            kinds.add("sequence")
        elif pattern == "date" or (pattern == "regex" and match.get("regex_name") == "recent_year"):
            kinds.add("date")
    return next((reason for reason in REASONS if reason in kinds), "guessable")
