"""After a visit: the provider's outcome form and the village's rating form."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("visits", __name__, template_folder="templates")

nav_item("visits.outcomes", _l("Visit outcomes"), ("provider",), 25)
nav_item("visits.village", _l("Rate visits"), ("village",), 30)

from web.visits import routes  # noqa: E402,F401  - registers the views on bp
