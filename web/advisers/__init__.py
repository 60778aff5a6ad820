"""Standing village advisers (村法律顾问): the district's current pairing, proposals from the
optimal pairing solver compared with it, pairs fixed by hand, approval with history."""
from flask import Blueprint

bp = Blueprint("advisers", __name__, template_folder="templates")

from web.advisers import routes  # noqa: E402,F401  - registers the views on bp
