"""Rendering notices: one Jinja template per notice gives the HTML page (with a print
stylesheet) and, through WeasyPrint, the PDF from the very same markup.

WeasyPrint lays out HTML and CSS with Pango, so Chinese text is shaped and broken like in a
browser, with any installed CJK font (Noto Sans CJK SC); the alternative, drawing each page
with reportlab, would mean a second layout of every notice to keep in step with the page.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

STATIC = Path(__file__).parent / "static"
STYLESHEET = STATIC / "notices.css"

_env = Environment(loader=PackageLoader("scheduler.transfer.printing", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Link:
    href: str
    label: str


def render_fragment(documents: Sequence[object]) -> str:
    """The notices alone (one <article> each), for a page that brings its own frame."""
    return _env.get_template("documents.html").render(documents=documents)


def render_html(documents: Sequence[object], *, title: str, stylesheet: str | None = None,
                toolbar: Sequence[Link] = ()) -> str:
    """One HTML page holding the documents, a page each. `stylesheet` is the URL of
    notices.css for a browser; without it the page is meant for `render_pdf`."""
    return _env.get_template("page.html").render(documents=documents, title=title, stylesheet=stylesheet,
                                                  toolbar=toolbar)


def render_pdf(documents: Sequence[object], *, title: str) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(documents, title=title)
    return HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
