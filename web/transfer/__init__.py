"""Excel in, Excel and paper out: imports with a preview, exports of published weeks and
service records, printable window rosters and village posters. Coordinators only."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("transfer", __name__, url_prefix="/transfer", template_folder="templates")

nav_item("transfer.index", _l("Excel and print"), ("coordinator",), 60, area="transfer.")

from web.transfer import notices, routes  # noqa: E402,F401  - registers the views on bp
