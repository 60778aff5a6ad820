"""Standing demand for coordinators: window-shift templates and square events, with the
coming weeks' shift days under the statutory-holiday rules."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("demand", __name__, template_folder="templates")

nav_item("demand.index", _l("Shifts and events"), ("coordinator",), 35, area="demand.")

from web.demand import routes  # noqa: E402,F401  - registers the views on bp
