"""Calendar feeds: the public feed URLs (secret tokens, no sign-in) and the pages where a
coordinator, provider or village representative gets a feed's link and QR code."""
from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds", template_folder="templates")

from web.feeds import routes  # noqa: E402,F401  - registers the views on bp
