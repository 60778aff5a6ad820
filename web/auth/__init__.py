"""Signing in and out, and changing one's password."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from web.auth import routes  # noqa: E402,F401  - registers the views on bp
