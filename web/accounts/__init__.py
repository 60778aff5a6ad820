"""Accounts in the app: coordinators manage their district's accounts (one by one or in bulk)
and invite their owners; the public pages of an invitation link, a forgotten password and a
reset link."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("accounts", __name__, template_folder="templates")

nav_item("accounts.index", _l("Accounts"), ("coordinator",), 65, area="accounts.")

from web.accounts import public, routes  # noqa: E402,F401  - registers the views on bp
