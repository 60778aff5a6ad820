"""The user's own personal access tokens: a list, a form to make one (its secret shown once,
on the page that made it) and revoking."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from scheduler.api import tokens
from scheduler.core.weeks import to_local
from web.access import acting_user, login_required
from web.api import pages
from web.api.forms import RevokeForm, TokenForm
from web.dates import now
from web.db import db


def _shown(moment) -> str:
    return "—" if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M")


def _words(error: tokens.TokenRefused) -> str:
    return {
        "name_required": _("Give the token a name."),
        "name_too_long": _("The name is too long."),
        "scope_unknown": _("Choose what the token may do."),
        "days_range": _("A token lasts from 1 to %(max)d days.", max=tokens.MAX_DAYS),
        "too_many_tokens": _("You have %(max)d live tokens: revoke one first.", max=tokens.MAX_LIVE_TOKENS),
        "account_inactive": _("This account is deactivated."),
    }.get(error.code, error.code)


@pages.route("/my/api-tokens", methods=["GET", "POST"])
@login_required
def index():
    user, session = acting_user(), db()
    form, secret, refusal = TokenForm(), None, None
    if form.validate_on_submit():
        try:
            made = tokens.create(session, user, user, name=form.name.data, scopes=list(form.scopes.data),
                                 days=form.days.data, now=now())
        except tokens.TokenRefused as error:
            session.rollback()
            refusal = _words(error)
        else:
            session.commit()
            secret = made.secret
            form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, secret=secret, refusal=refusal,
                           rows=tokens.tokens_of(session, user), now=now(), revoke_form=RevokeForm(), shown=_shown)


@pages.route("/my/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    if RevokeForm().validate_on_submit():
        tokens.revoke(db(), acting_user(), token_id, now())
        db().commit()
        flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("api_tokens.index"))
