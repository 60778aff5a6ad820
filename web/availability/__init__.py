"""A person's availability kept by their district's coordinators: a week grid of half-hours
with the weekly rules and the week's dated periods, and forms to add and remove them."""
from flask import Blueprint

bp = Blueprint("availability", __name__, url_prefix="/people", template_folder="templates")

from web.availability import routes  # noqa: E402,F401  - registers the views on bp
