"""The public pages: an invitation link (set the first password), a forgotten password (one
answer for every name) and a reset link. No sign-in needed; the forgotten-password form is
rate limited by client address and by the name asked for, with the sign-in limits."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded

from scheduler.accounts import invitations
from scheduler.auth import accounts, second_factor
from web.accounts import bp
from web.accounts.forms import ForgotForm, SetPasswordForm
from web.accounts.messages import account_error, link_refusal
from web.auth.limits import account_key, limiter
from web.auth.session import start_session
from web.config import app_settings, base_url
from web.dates import now
from web.db import db

_by_address = limiter.limit(lambda: app_settings().login_limit_address, methods=["POST"], scope="reset-address")
_by_account = limiter.limit(lambda: app_settings().login_limit_account, key_func=account_key, methods=["POST"],
                            scope="reset-account")


def _refused(error: invitations.TokenError):
    status = 404 if error.code == "invalid" else 410
    return render_template("accounts/link_refused.html", refusal=link_refusal(error)), status


def _password_page(token: str, purpose: str, endpoint: str):
    try:
        user = invitations.check_link(db(), token, purpose, now())
    except invitations.TokenError as error:
        return _refused(error)
    form = SetPasswordForm()
    if form.validate_on_submit():
        accept = invitations.accept_invitation if purpose == "invite" else invitations.reset_with_link
        try:
            user = accept(db(), token, form.new.data or "", now())
        except invitations.TokenError as error:
            db().rollback()
            return _refused(error)
        except accounts.AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            return _done(user, purpose)
    return render_template("accounts/set_password.html", form=form, user=user, purpose=purpose,
                           action=url_for(endpoint, token=token), min_length=accounts.MIN_PASSWORD_LENGTH)


def _done(user, purpose: str):
    if purpose == "reset":
        # Sign in as usual, second factor included.
        flash(_("Your password has been set. Please sign in with it."), "success")
        return redirect(url_for("auth.login"))
    start_session(user)
    if second_factor.required_for(user) and not second_factor.enrolled(user):
        flash(_("Your password is set. Coordinators also sign in with a second factor: set it up now."), "info")
        return redirect(url_for("auth.two_factor"))
    flash(_("Welcome! Your password is set and you are signed in."), "success")
    return redirect(url_for("home.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    return _password_page(token, "invite", "accounts.invitation")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _password_page(token, "reset", "accounts.reset")


@bp.route("/password/forgot", methods=["GET", "POST"])
@_by_address
@_by_account
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        invitations.request_reset(db(), form.username.data or "", now(), base_url())
        db().commit()
        # The same page whether or not the name belongs to an account.
        return render_template("accounts/forgot_sent.html")
    return render_template("accounts/forgot.html", form=form)


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded):
    page = render_template("accounts/forgot.html", form=ForgotForm(),
                           refusal=_("Too many requests. Please wait a few minutes, then try again."))
    return page, 429
