"""The outbox for coordinators: what went out per channel, what is retried, what failed."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("notices", __name__, template_folder="templates")

nav_item("notices.outbox", _l("Outbox"), ("coordinator",), 85, area="notices.outbox")
nav_item("notices.mine", _l("How I am told"), ("provider", "village"), 90, area="notices.")

from web.notices import labels, routes  # noqa: E402,F401  - registers the views and filters on bp
