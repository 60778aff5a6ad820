"""Providers' answers to their published assignments, both sides: swaps between colleagues
(ask, accept or refuse, withdraw; a coordinator approves when SWAP_APPROVAL says so) and the
coordinator's view of pending declines with the re-plan action."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from scheduler.swaps.operations import APPROVAL_MODES
from web.nav import nav_item

bp = Blueprint("swaps", __name__, template_folder="templates")

nav_item("swaps.my_swaps", _l("Swaps"), ("provider",), 25)


@bp.record_once
def _configure(state) -> None:
    """SWAP_APPROVAL: `automatic` (the default) or `coordinator`; from the app's
    configuration, else the settings (`web.config.runtime_settings`). A wrong value stops the
    app at start-up."""
    config = state.app.config
    config.setdefault("SWAP_APPROVAL", "automatic")
    if config["SWAP_APPROVAL"] not in APPROVAL_MODES:
        raise ValueError(f"SWAP_APPROVAL must be one of {', '.join(APPROVAL_MODES)}, "
                         f"not {config['SWAP_APPROVAL']!r}")


from web.swaps import routes, templating  # noqa: E402,F401  - registers the views and globals on bp
