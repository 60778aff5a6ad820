"""The second factor: TOTP codes (RFC 6238, 6 digits, 30 s, as authenticator apps make them)
and one-time recovery codes.

Coordinators must have it (`required_for`); everyone else may enrol. A code is accepted for
the step it was made in or one step either side (clock drift), and only for a step later than
the last one accepted: `users.totp_last_step` rises by one conditional UPDATE, so a code works
once even when two requests race with it. Recovery codes are 120 random bits each, stored as
SHA-256 (enough for secrets of that entropy), and spent by one conditional UPDATE.

Like the rest of `scheduler`, nothing here commits: the caller owns the unit of work.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from models import AuditEntry, RecoveryCode, User

ISSUER = "公共法律服务排班"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read off paper
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 4, 6  # 24 characters of 32 symbols: 120 bits
REQUIRED_ROLES = ("coordinator",)


class SecondFactorError(ValueError):
    """A refused change: `code` names the rule (the web layer translates it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def required_for(user: User) -> bool:
    """Whether the account may not sign in without a second factor."""
    return user.role in REQUIRED_ROLES


def enrolled(user: User) -> bool:
    return bool(user.totp_secret)


def new_secret() -> str:
    """A fresh TOTP secret, 160 random bits in base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at `moment` (tests and the enrolment check use it)."""
    return pyotp.TOTP(secret).at(moment)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step within the drift window whose code `code` is, else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    found = None
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        moment = now + timedelta(seconds=offset * STEP_SECONDS)
        if hmac.compare_digest(code_at(secret, moment), code):
            found = step_of(moment)
    return found


def accept_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Whether `code` is a current TOTP code of `user` not used before; marks it used."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(user, ["totp_last_step"])
    return claimed == 1


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Whether `code` is an unused recovery code of `user`; spends it."""
    normal = _normal_recovery(code)
    if len(normal) != _RECOVERY_GROUPS * _RECOVERY_GROUP_LENGTH:
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(normal),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent == 1:
        _audit(session, user, "user.recovery_code_used", now, left=remaining_recovery_codes(session, user))
    return spent == 1


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def enrol(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Turn the second factor on with `secret`, once `code` shows the app has it; returns the
    new recovery codes (shown once, stored hashed). Raises SecondFactorError("wrong_code")."""
    step = matching_step(secret, code, now)
    if step is None:
        raise SecondFactorError("wrong_code", "The code does not match: check the phone's time and try the next one.")
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _replace_recovery_codes(session, user, now)
    _audit(session, user, "user.second_factor_enrolled", now)
    session.flush()
    return codes


def new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    if not enrolled(user):
        raise SecondFactorError("not_enrolled", "Set up the second factor first.")
    codes = _replace_recovery_codes(session, user, now)
    _audit(session, user, "user.recovery_codes_renewed", now)
    session.flush()
    return codes


def disable(session: Session, user: User, now: datetime, *, by_admin: bool = False) -> None:
    """Remove the second factor and its recovery codes. Coordinators cannot remove their own
    (an administrator's reset at the command line can: they enrol again at the next sign-in)."""
    if required_for(user) and not by_admin:
        raise SecondFactorError("required", "Coordinators must keep a second factor.")
    user.totp_secret = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    _audit(session, user, "user.second_factor_removed", now, by_admin=by_admin)
    session.flush()


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(_normal_recovery(code)), created_at=now)
                    for code in codes)
    return codes


def _new_recovery_code() -> str:
    return "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
                    for _ in range(_RECOVERY_GROUPS))


def _normal_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash(normal: str) -> str:
    return hashlib.sha256(normal.encode("ascii", "replace")).hexdigest()


def _audit(session: Session, user: User, action: str, now: datetime, **details: object) -> None:
    session.add(AuditEntry(at=now, user_id=user.id, district_id=user.district_id, action=action,
                           object_type="user", object_id=user.username, details=dict(details)))
