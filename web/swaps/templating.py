"""What the district dashboard and the week page show of declines and swaps: a template
global, so those pages include `answers/_pending.html` without changing their views."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scheduler.swaps import declines
from scheduler.swaps import lists as swap_lists
from web import dates
from web.access import acting_user
from web.db import db
from web.swaps import bp
from web.swaps.forms import ActionForm, RejectForm
from web.swaps.labels import swap_status


@dataclass(frozen=True)
class Board:
    district_id: int
    week_start: date | None
    declines: list[declines.PendingDecline]
    swaps: list[swap_lists.SwapRow]
    form: ActionForm
    reject_form: RejectForm

    @property
    def waiting(self) -> list[swap_lists.SwapRow]:
        """Swaps a coordinator must decide or publish."""
        return [r for r in self.swaps if r.swap.status in ("accepted", "approved")]

    @property
    def count(self) -> int:
        return len(self.declines) + len(self.waiting)


@bp.app_template_global("answers_board")
def answers_board(district_id: int, week_start: date | None = None) -> Board:
    user, now = acting_user(), dates.now()
    return Board(district_id, week_start, declines.pending(db(), user, district_id, now, week_start),
                 swap_lists.for_district(db(), user, district_id, now, week_start), ActionForm(), RejectForm())


bp.app_template_filter("swap_status")(swap_status)
