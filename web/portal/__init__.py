"""The public pages (issue 16): the catalogue, the directory, a page per village and the
referral directory, without sign-in; and the coordinators' pages keeping the catalogue and
the referrals."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from web.nav import nav_item

bp = Blueprint("portal", __name__, template_folder="templates")

nav_item("portal.manage_referrals", _l("Referrals"), ("coordinator",), 87, area="portal.manage_referral")
nav_item("portal.manage_products", _l("Service catalogue"), ("coordinator",), 88, area="portal.manage_product")

from web.portal import manage, routes  # noqa: E402,F401  - registers the views on bp
