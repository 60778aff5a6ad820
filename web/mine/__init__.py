"""A provider's own corner: upcoming assignments and hours, declines, own availability and
own calendar file."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("mine", __name__, url_prefix="/my", template_folder="templates")

nav_item("mine.assignments", _l("My assignments"), ("provider",), 20)
nav_item("mine.availability", _l("My availability"), ("provider",), 30)

from web.mine import routes  # noqa: E402,F401  - registers the views on bp
