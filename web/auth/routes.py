"""Sign in (password, then the second factor where enrolled), sign out (POST only), change
password, the second factor's own pages, and saving one's language (POST only)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import User
from scheduler.auth import accounts, second_factor
from web import i18n
from web.access import acting_user, login_required
from web.auth import bp, devices
from web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    DisableForm,
    EnrolForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    RecoveryCodesForm,
    SetupForm,
)
from web.auth.limits import PENDING, guarded
from web.auth.messages import account_error, bad_credentials, login_refusal, second_factor_error, wrong_code
from web.auth.session import end_session, start_session
from web.dates import now
from web.db import db
from web.feeds.qr import qr_data_uri

# How long the second step of a sign-in may wait for its code.
PENDING_FOR = timedelta(minutes=5)
SETUP_SECRET = "_totp_setup"  # the secret being enrolled, until its first code confirms it


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@guarded
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    refusal = None
    if form.validate_on_submit():
        known = devices.trusted_ids()
        outcome = accounts.authenticate(db(), form.username.data or "", form.password.data or "", now(),
                                        trusted_ids=known)
        # Commit failures too: the failure count and any back-off must persist.
        db().commit()
        if outcome.ok:
            assert outcome.user is not None
            user = outcome.user
            if second_factor.enrolled(user):
                return _await_code(user, safe_next(form.next.data))
            return _complete(user, safe_next(form.next.data))
        refusal = login_refusal(outcome)
        if outcome.account_id in known and outcome.refusal == "bad_credentials":
            # A wrong password from a known device: this cookie vouches for the account no more.
            response = _login_page(form, refusal)
            devices.forget(response, outcome.account_id)
            return response
    elif request.method == "POST":
        refusal = bad_credentials()
    return _login_page(form, refusal)


def _login_page(form: LoginForm, refusal: str | None):
    return make_response(render_template("auth/login.html", form=form, refusal=refusal))


def _await_code(user: User, target: str | None):
    """The password was right: the session waits for the second factor, signed in to nothing."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[PENDING] = {"id": user.id, "epoch": user.session_epoch or 0, "name": user.username.lower(),
                        "at": int(now().timestamp()), "next": target or ""}
    return redirect(url_for("auth.second_factor"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if int(now().timestamp()) - int(pending.get("at", 0)) > PENDING_FOR.total_seconds():
        return None
    user = db().get(User, int(pending.get("id", 0)))
    if user is None or not user.active or (user.session_epoch or 0) != pending.get("epoch"):
        return None
    return user


def _complete(user: User, target: str | None):
    """Finish a sign-in: record it, start the session, and remember this device once the
    account's whole sign-in (with its second factor, where it needs one) was done here."""
    accounts.signed_in(db(), user, now())
    db().commit()
    start_session(user)
    response = redirect(target or url_for("home.home"))
    if second_factor.enrolled(user) or not second_factor.required_for(user):
        devices.remember(response, user.id)
    return response


@bp.route("/login/code", methods=["GET", "POST"], endpoint="second_factor")
@guarded
def second_factor_step():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again: the second step waited too long."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    refusal = None
    if form.validate_on_submit():
        code, moment = form.code.data or "", now()
        if accounts.is_locked(user, moment) and user.id not in devices.trusted_ids():
            refusal = wrong_code()
        elif second_factor.accept_code(db(), user, code, moment):
            return _complete(user, session.get(PENDING, {}).get("next") or None)
        elif second_factor.use_recovery_code(db(), user, code, moment):
            left = second_factor.remaining_recovery_codes(db(), user)
            response = _complete(user, url_for("auth.two_factor"))
            flash(_("You signed in with a recovery code; %(count)d are left. Each works once: make new ones "
                    "if you are running out.", count=left), "info")
            return response
        else:
            accounts.record_failure(db(), user, moment)
            db().commit()
            refusal = wrong_code()
    elif request.method == "POST":
        refusal = wrong_code()
    return render_template("auth/second_factor.html", form=form, refusal=refusal)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # Every session of the account ends, copies of this cookie included.
        accounts.end_sessions(db(), acting_user())
        db().commit()
        end_session()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    """Choose a language; a signed-in user's choice is saved as theirs."""
    form = LanguageForm()
    locale = i18n.normalise(form.lang.data)
    if not form.validate_on_submit() or locale is None:
        abort(400)
    session["lang"] = locale
    if current_user.is_authenticated:
        accounts.set_locale(db(), acting_user(), locale)
        db().commit()
    return redirect(safe_next(form.next.data) or url_for("home.home"))


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
            # The password change ended every session of the account: this one starts anew.
            start_session(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.home"))
    return render_template("auth/change_password.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH)


# --- the second factor ------------------------------------------------------------------

def _two_factor_page(**context):
    user = acting_user()
    return render_template(
        "auth/two_factor.html", enrolled=second_factor.enrolled(user), required=second_factor.required_for(user),
        remaining=second_factor.remaining_recovery_codes(db(), user), setup=SetupForm(),
        renew=RecoveryCodesForm(), disable=DisableForm(), **context)


@bp.route("/account/two-factor")
@login_required
def two_factor():
    return _two_factor_page()


def _enrol_page(secret: str, form: EnrolForm, refusal: str | None = None):
    user = acting_user()
    uri = second_factor.provisioning_uri(secret, user.username)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/two_factor_enrol.html", qr=qr_data_uri(uri), secret=grouped, form=form,
                           refusal=refusal)


@bp.route("/account/two-factor/setup", methods=["POST"])
@login_required
def two_factor_setup():
    """A new secret, kept in this session until a code from the app confirms it."""
    if not SetupForm().validate_on_submit():
        abort(400)
    secret = second_factor.new_secret()
    session[SETUP_SECRET] = secret
    return _enrol_page(secret, EnrolForm())


@bp.route("/account/two-factor/confirm", methods=["POST"])
@login_required
def two_factor_confirm():
    secret = session.get(SETUP_SECRET)
    if not secret:
        return redirect(url_for("auth.two_factor"))
    form = EnrolForm()
    if not form.validate_on_submit():
        return _enrol_page(secret, form, wrong_code())
    user = acting_user()
    try:
        codes = second_factor.enrol(db(), user, secret, form.code.data or "", now())
    except second_factor.SecondFactorError as error:
        db().rollback()
        return _enrol_page(secret, form, second_factor_error(error))
    # A changed factor ends the account's other sessions; this one starts anew.
    accounts.end_sessions(db(), user)
    accounts.signed_in(db(), user, now())
    db().commit()
    start_session(user)
    response = make_response(render_template("auth/recovery_codes.html", codes=codes, first=True))
    devices.remember(response, user.id)
    return response


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def recovery_codes():
    form = RecoveryCodesForm()
    user = acting_user()
    if not form.validate_on_submit() or not second_factor.accept_code(db(), user, form.code.data or "", now()):
        db().rollback()
        flash(wrong_code(), "error")
        return redirect(url_for("auth.two_factor"))
    codes = second_factor.new_recovery_codes(db(), user, now())
    db().commit()
    return render_template("auth/recovery_codes.html", codes=codes, first=False)


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def two_factor_disable():
    form = DisableForm()
    user = acting_user()
    if second_factor.required_for(user):
        flash(_("Coordinators must keep a second factor."), "error")
        return redirect(url_for("auth.two_factor"))
    if (not form.validate_on_submit() or not accounts.password_matches(user, form.password.data or "")
            or not second_factor.accept_code(db(), user, form.code.data or "", now())):
        db().rollback()
        flash(_("The password or the code is not right."), "error")
        return redirect(url_for("auth.two_factor"))
    second_factor.disable(db(), user, now())
    accounts.end_sessions(db(), user)
    db().commit()
    start_session(user)
    flash(_("The second factor is off; your other sessions have ended."), "success")
    return redirect(url_for("auth.two_factor"))
