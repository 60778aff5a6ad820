"""Each role's landing page: coordinators' dashboard, providers' own page, villages' page."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("main", __name__, template_folder="templates")

nav_item("main.dashboard", _l("Dashboard"), ("coordinator",), 10, area="main.d")
nav_item("main.me", _l("My page"), ("provider",), 10)
nav_item("main.my_village", _l("My village"), ("village",), 10)

from web.main import routes  # noqa: E402,F401  - registers the views on bp
