"""The coordinator's week: the roster grid, solving as a job, review, hand edits, publishing."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("week", __name__, template_folder="templates")

nav_item("week.index", _l("Week"), ("coordinator",), 15, area="week.")

from web.week import assign, routes, templating  # noqa: E402,F401  - registers the views and filters on bp
