"""Printed notices for walls and village bulletin boards: window rosters and village
posters, as an HTML page with a print stylesheet and as PDF from the same template."""
from scheduler.transfer.printing.documents import (
                                          HOTLINE,
                                          Poster,
                                          Roster,
                                          district_posters,
                                          district_rosters,
                                          village_poster,
                                          window_roster,
)
from scheduler.transfer.printing.render import STYLESHEET, Link, render_fragment, render_html, render_pdf

__all__ = ["HOTLINE", "Link", "Poster", "Roster", "STYLESHEET", "district_posters", "district_rosters", "render_fragment", "render_html", "render_pdf", "village_poster",
           "window_roster"]
