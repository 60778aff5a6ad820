"""Sites for coordinators: villages, township windows, centres, squares, stations."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("sites", __name__, url_prefix="/sites", template_folder="templates")

nav_item("sites.index", _l("Sites"), ("coordinator",), 30, area="sites.")

from web.sites import routes  # noqa: E402,F401  - registers the views on bp
