"""The keyboard's focus ring is visible (WCAG 2.2, 1.4.11 and 2.4.7): every `:focus-visible`
outline colour in site.css has a contrast ratio of at least 3:1 against what it sits on:
white and the page's wash for the page's ring, the red header bar for the header's. The
ratios are the WCAG 2 relative-luminance formula's; docs/accessibility.md records them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "css" / "site.css"
MINIMUM = 3.0


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stylesheet() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The custom properties of `:root` and every (selector, declarations) rule of site.css
    (nested at-rules flattened: their inner rules are listed as rules)."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules = [(selector.strip().split("{")[-1].strip(), body)
             for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text)]
    root = next(body for selector, body in rules if selector == ":root")
    variables = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root))
    return {k: v.strip() for k, v in variables.items()}, rules


def resolve(value: str, variables: dict[str, str]) -> str:
    while (found := re.search(r"var\((--[\w-]+)\)", value)) is not None:
        value = value.replace(found.group(0), variables[found.group(1)])
    return value


def ring_colours() -> list[tuple[str, str]]:
    """(selector, outline colour) of every `:focus-visible` rule that sets one."""
    variables, rules = stylesheet()
    found = []
    for selector, body in rules:
        if ":focus-visible" not in selector:
            continue
        declared = dict((k.strip(), v.strip()) for k, v in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
        value = declared.get("outline-color") or declared.get("outline")
        if value:
            colour = re.search(r"#[0-9a-fA-F]{3,6}\b", resolve(value, variables))
            assert colour, (selector, value)
            found.append((selector, colour.group(0)))
    return found


def test_the_formula_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#f0b400", "#ffffff") == pytest.approx(1.87, abs=0.01)  # the old amber ring
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_focus_ring_has_3_to_1_against_what_it_sits_on():
    variables, _ = stylesheet()
    rings = ring_colours()
    assert any(not s.startswith(".site-header") for s, _ in rings), rings
    for selector, colour in rings:
        if selector.startswith(".site-header"):
            grounds = {"header bar": variables["--brand"]}
        else:
            grounds = {"white": "#ffffff", "paper": variables["--paper"], "wash": variables["--wash"]}
        for name, ground in grounds.items():
            ratio = contrast(colour, ground)
            assert ratio >= MINIMUM, f"{selector}: {colour} on {name} {ground} is {ratio:.2f}:1"


def test_the_halo_keeps_the_ring_apart_from_a_red_button():
    """Outside the header the ring has a halo of the page's white between it and the element:
    a red button's edge meets the halo, at 3:1 or better, not the dark ring."""
    variables, rules = stylesheet()
    page_rules = [body for s, body in rules if ":focus-visible" in s and not s.startswith(".site-header")]
    halo = next(re.search(r"box-shadow\s*:\s*([^;]+)", b).group(1) for b in page_rules if "box-shadow" in b)
    colour = re.search(r"#[0-9a-fA-F]{3,6}\b", resolve(halo, variables)).group(0)
    assert contrast(colour, variables["--brand"]) >= MINIMUM
