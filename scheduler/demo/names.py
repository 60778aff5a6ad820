"""Chinese personal names, phone numbers and e-mail addresses for demo people.

Surname weights follow the usual national frequency tables, nudged towards the surnames
that are typical of Ningbo (陈, 俞, 应, 邬, 竺, 虞, 翁, 鲍, 励, 忻). Given names are one or
two characters, so full names have two or three characters.
"""
from __future__ import annotations

import random

# (surname, pinyin, relative weight in per mille)
SURNAMES = (
    ("陈", "chen", 72), ("王", "wang", 60), ("张", "zhang", 48), ("李", "li", 44),
    ("徐", "xu", 30), ("周", "zhou", 28), ("吴", "wu", 27), ("林", "lin", 25),
    ("胡", "hu", 24), ("俞", "yu", 20), ("朱", "zhu", 20), ("杨", "yang", 19),
    ("金", "jin", 18), ("应", "ying", 16), ("黄", "huang", 15), ("孙", "sun", 14),
    ("毛", "mao", 13), ("邬", "wu", 12), ("叶", "ye", 12), ("沈", "shen", 11),
    ("蒋", "jiang", 11), ("刘", "liu", 11), ("董", "dong", 10), ("赵", "zhao", 10),
    ("杜", "du", 9), ("方", "fang", 9), ("钱", "qian", 9), ("顾", "gu", 8),
    ("郑", "zheng", 8), ("何", "he", 8), ("戴", "dai", 8), ("竺", "zhu", 7),
    ("虞", "yu", 7), ("翁", "weng", 7), ("鲍", "bao", 6), ("史", "shi", 6),
    ("姚", "yao", 6), ("汪", "wang", 6), ("潘", "pan", 6), ("马", "ma", 6),
    ("励", "li", 5), ("忻", "xin", 5), ("乐", "yue", 5), ("舒", "shu", 5),
    ("袁", "yuan", 5), ("邵", "shao", 5), ("罗", "luo", 5), ("高", "gao", 5),
    ("谢", "xie", 4), ("卢", "lu", 4), ("郭", "guo", 4), ("曹", "cao", 4),
    ("冯", "feng", 4), ("范", "fan", 4), ("傅", "fu", 4), ("宋", "song", 4),
    ("柴", "chai", 3), ("裘", "qiu", 3), ("葛", "ge", 3), ("江", "jiang", 3),
    ("屠", "tu", 3), ("庄", "zhuang", 3), ("贺", "he", 3), ("竹", "zhu", 2),
    ("欧阳", "ouyang", 1), ("诸葛", "zhuge", 1),
)

GIVEN_F = (
    ("丽", "li"), ("静", "jing"), ("燕", "yan"), ("芳", "fang"), ("敏", "min"),
    ("婷", "ting"), ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("英", "ying"),
    ("红", "hong"), ("慧", "hui"), ("琳", "lin"), ("佳", "jia"), ("颖", "ying"),
    ("雪", "xue"), ("梅", "mei"), ("洁", "jie"), ("萍", "ping"), ("怡", "yi"),
    ("欣", "xin"), ("琪", "qi"), ("晓", "xiao"), ("雅", "ya"), ("倩", "qian"),
    ("春", "chun"), ("玲", "ling"), ("莉", "li"), ("晨", "chen"), ("涵", "han"),
)
GIVEN_M = (
    ("伟", "wei"), ("强", "qiang"), ("军", "jun"), ("杰", "jie"), ("磊", "lei"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("华", "hua"), ("建", "jian"),
    ("国", "guo"), ("辉", "hui"), ("峰", "feng"), ("斌", "bin"), ("浩", "hao"),
    ("鹏", "peng"), ("东", "dong"), ("海", "hai"), ("新", "xin"), ("平", "ping"),
    ("林", "lin"), ("志", "zhi"), ("宇", "yu"), ("俊", "jun"), ("卫", "wei"),
    ("波", "bo"), ("刚", "gang"), ("晨", "chen"), ("彬", "bin"), ("文", "wen"),
)

PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182",
    "183", "186", "187", "188", "189", "191", "198", "199",
)

_SURNAME_CHOICES = tuple((s, p) for s, p, _ in SURNAMES)
_SURNAME_CUM_WEIGHTS: tuple[int, ...] = ()
_total = 0
for _s, _p, _w in SURNAMES:
    _total += _w
    _SURNAME_CUM_WEIGHTS += (_total,)


def person_name(rng: random.Random, gender: str) -> tuple[str, str]:
    """A (Chinese name, pinyin) pair; about a quarter of given names have one character."""
    surname, surname_py = rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    pool = GIVEN_F if gender == "F" else GIVEN_M
    length = 1 if rng.random() < 0.25 or len(surname) == 2 else 2
    given = [rng.choice(pool) for _ in range(length)]
    if length == 2 and given[0][0] == given[1][0] and rng.random() < 0.7:
        given[1] = rng.choice(pool)  # doubled characters (婷婷) exist but are rarer
    return surname + "".join(g[0] for g in given), surname_py + "".join(g[1] for g in given)


def mobile(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


class PhoneBook:
    """Hands out unique, plausible mainland mobile numbers (11 digits, 1xx prefix).

    It draws from its own stream, so a retry after a clash never shifts anything else."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[str] = set()

    def number(self) -> str:
        while True:
            candidate = mobile(self._rng)
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate


def email(pinyin: str, external_id: str) -> str:
    """Unique and deterministic; example.org is reserved (RFC 2606), so demo mail goes nowhere."""
    return f"{pinyin}.{external_id.lower().replace('-', '')}@example.org"
