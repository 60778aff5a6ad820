"""People management for coordinators: search, detail, edit, deactivate."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("people", __name__, url_prefix="/people", template_folder="templates")

nav_item("people.index", _l("People"), ("coordinator",), 20, area="people.")

from web.people import routes  # noqa: E402,F401  - registers the views on bp
