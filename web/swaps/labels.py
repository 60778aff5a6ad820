"""Swap statuses in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SWAP_STATUSES = {
    "requested": _l("Waiting for the colleague's answer"),
    "accepted": _l("Accepted; waiting for a coordinator's approval"),
    "approved": _l("Approved; in the draft, published with the week's next version"),
    "applied": _l("Done: published"),
    "rejected": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
}


def swap_status(status: str) -> str:
    return str(SWAP_STATUSES.get(status, status))
