"""The message catalogues: complete, not fuzzy, compiled, and covering every source string."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
LOCALES = ("zh_Hans_CN", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def po(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def mo(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        return read_mo(handle)


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def as_table(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def source_ids() -> set:
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**KEYWORDS, "_l": None}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    catalog = po(locale)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{locale}: untranslated {untranslated}"
    assert not fuzzy, f"{locale}: fuzzy {fuzzy}"
    assert not catalog.fuzzy, f"{locale}: the catalogue header is marked fuzzy"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po(locale):
    assert as_table(mo(locale)) == as_table(po(locale)), (
        f"{locale}: messages.mo is stale; run `pybabel compile -d web/translations`"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    for message in po(locale):
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) == wanted, f"{locale}: {message.id!r} -> {text!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_source_string_is_in_the_catalogue(locale):
    catalog = po(locale)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(source_ids() - known)
    assert not missing, (
        f"{locale}: strings in the code but not in messages.po: {missing}. Run pybabel extract and "
        "update (see docs/web.md), translate, then compile."
    )


def test_chinese_uses_the_established_terms():
    table = as_table(po("zh_Hans_CN"))
    assert table["Lawyer"] == "律师"
    assert table["Coordinator"] == "协调员"
    assert table["Public legal service centre"] == "公共法律服务中心"
    assert table["Village (community)"] == "村（社区）"
