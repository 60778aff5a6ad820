"""The skills vocabulary for coordinators: the list, adding a skill, renaming one."""
from flask import Blueprint

bp = Blueprint("skills", __name__, url_prefix="/skills", template_folder="templates")

from web.skills import routes  # noqa: E402,F401  - registers the views on bp
