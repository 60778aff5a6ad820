"""Service reports for coordinators: per person, volunteer, village, township and month,
viewable and exportable (xlsx, CSV)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

nav_item("reports.index", _l("Reports"), ("coordinator",), 70, area="reports.")

from web.reports import routes  # noqa: E402,F401  - registers the views on bp
