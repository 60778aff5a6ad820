"""Each role's landing page: coordinators' dashboard, providers' own page, villages' page."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("home", __name__, template_folder="templates")

nav_item("home.dashboard", _l("Dashboard"), ("coordinator",), 10, area="home.d")
nav_item("home.me", _l("My page"), ("provider",), 10)
nav_item("home.my_village", _l("My village"), ("village",), 10)

from web.home import routes  # noqa: E402,F401  - registers the views on bp
