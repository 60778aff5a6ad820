"""Forms of the feeds blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class FeedLinkForm(FlaskForm):
    """Make a new link (replacing any live one) or turn the link off."""

    new = SubmitField(_l("Get a new link"))
    revoke = SubmitField(_l("Turn the link off"))
