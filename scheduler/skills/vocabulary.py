"""Reading and naming skills: each skill is stored by its code (`family`) and has a Chinese
and an English name (婚姻家庭, Marriage and family). People type or import any of the three;
`Vocabulary.read` maps what they wrote to codes and lists what it could not read, and
`Vocabulary.name` gives the name in a language, the code itself for a code not in the table."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Skill

# Between skills in a list; not the space, which English names contain.
SEPARATORS = re.compile(r"[,，、;；/|\n]+")
CODE_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")

# The city's standard skills, seeded by migration 0015 and by the demo.
STANDARD: dict[str, tuple[str, str]] = {
    "family": ("婚姻家庭", "Marriage and family"),
    "labour": ("劳动争议", "Labour disputes"),
    "contract": ("合同纠纷", "Contract disputes"),
    "land": ("土地纠纷", "Land disputes"),
    "criminal": ("刑事辩护", "Criminal defence"),
    "administrative": ("行政争议", "Administrative disputes"),
    "property": ("房产物权", "Property"),
    "traffic": ("交通事故", "Traffic accidents"),
    "medical": ("医疗纠纷", "Medical disputes"),
    "company": ("公司商事", "Company and commercial"),
    "dialect_ningbo": ("宁波话", "Ningbo dialect"),
    "elderly": ("老年人权益", "Rights of the elderly"),
    "youth": ("未成年人保护", "Protection of minors"),
}


def key(word: str) -> str:
    """How a code or name is matched: case-insensitive, spaces squeezed (全角 spaces too)."""
    return " ".join(word.replace("\u3000", " ").split()).casefold()


def split(text: str | None) -> list[str]:
    """The words of a typed or imported list, in order."""
    return [w.strip() for w in SEPARATORS.split(text or "") if w.strip()]


@dataclass(frozen=True)
class Vocabulary:
    names: Mapping[str, tuple[str, str]]  # code -> (Chinese, English)
    _by_key: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Names first and codes last, so a code always reads as itself.
        for code, (zh, en) in self.names.items():
            self._by_key.setdefault(key(en), code)
            self._by_key.setdefault(key(zh), code)
        for code in self.names:
            self._by_key[key(code)] = code

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def name(self, code: str, language: str = "zh") -> str:
        names = self.names.get(code)
        if names is None:
            return code
        return names[1] if language.startswith("en") else names[0]

    def code_of(self, word: str) -> str | None:
        return self._by_key.get(key(word))

    def read(self, words: Iterable[str]) -> tuple[list[str], list[str]]:
        """(the codes, sorted and once each; the words that name no skill, as written).

        A word holding spaces that names no skill is read as several words when each of
        them does ("family labour")."""
        codes: set[str] = set()
        unknown: list[str] = []
        for word in words:
            word = word.strip()
            if not word:
                continue
            code = self.code_of(word)
            parts = [self.code_of(w) for w in word.split()] if code is None else [code]
            if all(parts):
                codes.update(p for p in parts if p)
            elif word not in unknown:
                unknown.append(word)
        return sorted(codes), unknown


def load(session: Session) -> Vocabulary:
    rows = session.execute(select(Skill.code, Skill.name_zh, Skill.name_en))
    return Vocabulary({code: (zh, en) for code, zh, en in rows})
