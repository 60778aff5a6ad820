"""Sign in, sign out (POST only) and change password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from scheduler.auth import accounts
from web.access import acting_user, login_required
from web.auth import bp
from web.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from web.auth.messages import account_error, login_refusal
from web.auth.session import Account
from web.dates import now
from web.db import db


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        outcome = accounts.authenticate(db(), form.username.data or "", form.password.data or "", now())
        # Commit failures too: the failure count and any lock must persist.
        db().commit()
        if outcome.ok:
            assert outcome.user is not None
            language = session.get("lang")
            # A fresh session on sign-in: nothing from before carries over (session fixation).
            session.clear()
            if language:
                session["lang"] = language
            login_user(Account(outcome.user))
            return redirect(safe_next(form.next.data) or url_for("home.home"))
        flash(login_refusal(outcome), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = acting_user()
        try:
            accounts.change_password(db(), user, form.current.data or "", form.new.data or "")
        except accounts.AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            # The session id follows the password hash: renew this session, end all others.
            login_user(Account(user))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.home"))
    return render_template("auth/change_password.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH)
