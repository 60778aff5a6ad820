"""Village visit requests: the representative's request form and status pages, the
coordinators' queue, list, hand-over, confirm, cancel and close."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("requests", __name__, template_folder="templates")

nav_item("requests.queue", _l("Requests"), ("coordinator",), 15, area="requests.")
nav_item("requests.new", _l("Request a visit"), ("village",), 20)
nav_item("requests.index", _l("Our requests"), ("village",), 25, area="requests.index")

from web.requests import labels, routes  # noqa: E402,F401  - registers the views and filters on bp
