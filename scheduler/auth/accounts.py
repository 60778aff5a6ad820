"""User accounts: creating them, signing in with throttling, changing passwords and locales.

Sign-in failures are counted by one `UPDATE users SET failed_logins = failed_logins + 1`, so
concurrent attempts all count. From `MAX_FAILED_LOGINS` failures on, the account backs off:
`locked_until` is 1 minute away, doubling with each further failure up to `MAX_LOCK_MINUTES`.
A back-off refuses attempts with the same answer as a wrong password (nobody learns that the
account exists or is locked), except from a device the account signed in on before with its
full sign-in (`trusted_ids`, the web layer's device cookie): so an attacker cannot keep the
owner out. docs/security.md has the whole design.

The functions work on a session and never commit: the caller owns the unit of work. Errors
carry a machine `code` and `params` so the web layer can show them in the reader's language
and the command line can print the English text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import AuditEntry, District, Person, Site, User
from models.vocab import USER_ROLES
from scheduler.auth import passwords

MAX_FAILED_LOGINS = 5
# The first back-off, doubling with each failure after MAX_FAILED_LOGINS, at most MAX_LOCK_MINUTES.
LOCK_MINUTES = 1
MAX_LOCK_MINUTES = 60
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
LOCALES = ("zh_Hans_CN", "en")
HASH_METHOD = "scrypt"
# Checked when the username is unknown, so a wrong username costs as long as a wrong password
# and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not a real password", method=HASH_METHOD)


class AccountError(ValueError):
    """A refused account operation: `code` names the rule, `params` fill the message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a sign-in attempt. The caller commits either way: a failure is recorded."""

    user: User | None
    # None on success; else "bad_credentials", "locked" or "inactive". The web layer answers
    # "bad_credentials" and "locked" alike, and an unknown name is "bad_credentials".
    refusal: str | None = None
    locked_until: datetime | None = None
    # The account the name matched, success or not (for the caller's bookkeeping; never shown).
    account_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None and self.refusal is None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def check_password_rules(password: str, username: str, display_name: str | None = None) -> None:
    """Refuse a short password, the username, and anything zxcvbn estimates as guessable
    (`scheduler.auth.passwords`: the refusal's `reason` says why)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_too_short",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            min_length=MIN_PASSWORD_LENGTH,
        )
    if password.strip().casefold() == username.strip().casefold():
        raise AccountError("password_is_username", "The password must not be the username.")
    strength = passwords.estimate(password, (username, display_name))
    if not strength.ok:
        raise AccountError("password_weak", f"The password is too easy to guess ({strength.reason}).",
                           reason=strength.reason)


def authenticate(session: Session, username: str, password: str, now: datetime, *,
                 trusted_ids: frozenset[int] | set[int] = frozenset()) -> LoginOutcome:
    """Check a username and password, counting failures and backing off after too many.

    Success here is only the password: the caller finishes the sign-in (second factor, then
    `signed_in`). While the account backs off, attempts are refused unchecked and uncounted
    unless they come from a device in `trusted_ids` (account ids the caller vouches for).
    """
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome(None, "bad_credentials")
    if is_locked(user, now) and user.id not in trusted_ids:
        # The same work and the same answer as a wrong password.
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome(None, "locked", user.locked_until, account_id=user.id)
    if not check_password_hash(user.password_hash, password):
        until = record_failure(session, user, now)
        return LoginOutcome(None, "bad_credentials", until, account_id=user.id)
    if not user.active:
        return LoginOutcome(None, "inactive", account_id=user.id)
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return LoginOutcome(user, account_id=user.id)


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def lock_minutes(failures: int) -> int:
    """The back-off after `failures` failures in a row (0 below MAX_FAILED_LOGINS)."""
    if failures < MAX_FAILED_LOGINS:
        return 0
    return min(MAX_LOCK_MINUTES, LOCK_MINUTES * 2 ** min(failures - MAX_FAILED_LOGINS, 16))


def record_failure(session: Session, user: User, now: datetime) -> datetime | None:
    """Count one failed attempt (a wrong password or second-factor code) atomically in SQL and
    start or lengthen the back-off; returns the end of the back-off, if any."""
    failures = session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    until = None
    minutes = lock_minutes(failures)
    if minutes:
        until = now + timedelta(minutes=minutes)
        # Never shorten a back-off another request set.
        session.execute(
            update(User).where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until < until))
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )
        if failures == MAX_FAILED_LOGINS:
            _audit(session, user, "user.locked", now=now, until=until.isoformat())
    session.expire(user, ["failed_logins", "locked_until"])
    return until


def signed_in(session: Session, user: User, now: datetime) -> None:
    """Record a completed sign-in (password and, where enrolled, second factor)."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()


def end_sessions(session: Session, user: User) -> None:
    """End every session of `user` (sign-out everywhere): the epoch rises atomically."""
    session.execute(
        update(User).where(User.id == user.id)
        .values(session_epoch=User.session_epoch + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["session_epoch"])


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is the account's (to confirm a sensitive change)."""
    return check_password_hash(user.password_hash, password)


def _needs_rehash(password_hash: str) -> bool:
    # Hashes of an older method (pbkdf2 from an import, say) become scrypt on the next sign-in.
    return not password_hash.startswith("scrypt:")


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("wrong_current_password", "The current password is wrong.")
    if new == current:
        raise AccountError("password_unchanged", "The new password must differ from the current one.")
    check_password_rules(new, user.username, user.display_name)
    user.password_hash = hash_password(new)
    _audit(session, user, "user.password_changed")
    end_sessions(session, user)
    session.flush()


def reset_password(session: Session, user: User, new: str) -> None:
    """Set a password without knowing the old one (an administrator's reset), and unlock;
    every session of the account ends."""
    check_password_rules(new, user.username, user.display_name)
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None
    _audit(session, user, "user.password_reset", by_self=False)
    end_sessions(session, user)
    session.flush()


def unlock(session: Session, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def _audit(session: Session, user: User, action: str, by_self: bool = True, now: datetime | None = None,
           **details: object) -> None:
    # The actor is the account itself (sign-in, own change) or an administrator at the command
    # line, who has no account row: then no user is recorded.
    entry = AuditEntry(
        user_id=user.id if by_self else None, district_id=user.district_id,
        action=action, object_type="user", object_id=user.username, details=dict(details),
    )
    if now is not None:
        entry.at = now
    session.add(entry)


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise AccountError("unknown_user", f"No user named {username!r}.", username=username)
    return user


def find_person(session: Session, ref: str) -> Person:
    """A person by external id (e.g. YZ-L0001) or, failing that, by database id."""
    person = session.scalar(select(Person).where(Person.external_id == ref))
    if person is None and ref.isdigit():
        person = session.get(Person, int(ref))
    if person is None:
        raise AccountError("unknown_person", f"No person with id or external id {ref!r}.", ref=ref)
    return person


def find_village(session: Session, ref: str) -> Site:
    """A village by external id (e.g. YZ-V0001) or, failing that, by database id."""
    site = session.scalar(select(Site).where(Site.external_id == ref))
    if site is None and ref.isdigit():
        site = session.get(Site, int(ref))
    if site is None:
        raise AccountError("unknown_village", f"No site with id or external id {ref!r}.", ref=ref)
    return site


def set_locale(session: Session, user: User, locale: str) -> None:
    if locale not in LOCALES:
        raise AccountError("unknown_locale", f"Unknown language {locale!r}.", locale=locale)
    if user.locale != locale:
        user.locale = locale
        session.flush()


def create_user(
    session: Session,
    *,
    role: str,
    username: str,
    password: str,
    district: District | None = None,
    city_wide: bool = False,
    person: Person | None = None,
    village: Site | None = None,
    display_name: str | None = None,
    email: str | None = None,
    locale: str = "zh_Hans_CN",
) -> User:
    """Create an account linked to exactly what its role acts for, checking every rule first."""
    username = username.strip()
    _check_username(session, username)
    _check_links(session, role, district, city_wide, person, village)
    check_password_rules(password, username, display_name or (person.name if person else None))
    if locale not in LOCALES:
        raise AccountError("unknown_locale", f"Unknown language {locale!r}.", locale=locale)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or (person.name if person else None),
        email=email,
        district_id=_home_district_id(district, person, village),
        city_wide=city_wide,
        person_id=person.id if person else None,
        village_id=village.id if village else None,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def _check_username(session: Session, username: str) -> None:
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AccountError(
            "bad_username", "A username has 1 to 64 characters and no spaces.", username=username
        )
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise AccountError("username_taken", f"The username {username!r} is taken.", username=username)


def _check_links(
    session: Session,
    role: str,
    district: District | None,
    city_wide: bool,
    person: Person | None,
    village: Site | None,
) -> None:
    if role not in USER_ROLES:
        raise AccountError("unknown_role", f"Unknown role {role!r}; use one of {', '.join(USER_ROLES)}.", role=role)
    if role == "coordinator":
        if city_wide == (district is not None):
            raise AccountError("coordinator_scope", "A coordinator needs either one district or the whole city.")
        if person or village:
            raise AccountError("coordinator_links", "A coordinator is linked to a district, not a person or village.")
    elif role == "provider":
        if person is None:
            raise AccountError("provider_needs_person", "A provider account needs the person it belongs to.")
        if district or city_wide or village:
            raise AccountError("provider_links", "A provider account is linked to its person only.")
        holder = session.scalar(select(User).where(User.person_id == person.id))
        if holder is not None:
            raise AccountError(
                "person_linked",
                f"Person {person.external_id} ({person.name}) is already linked to user {holder.username!r}.",
                person=person.external_id,
                username=holder.username,
            )
    else:
        if village is None:
            raise AccountError("village_needs_site", "A village account needs its village.")
        if village.kind != "village":
            raise AccountError(
                "not_a_village",
                f"Site {village.external_id} ({village.name}) is a {village.kind}, not a village.",
                site=village.external_id,
            )
        if district or city_wide or person:
            raise AccountError("village_links", "A village account is linked to its village only.")


def _home_district_id(district: District | None, person: Person | None, village: Site | None) -> int | None:
    # Providers and village representatives belong to the district of what they act for.
    if district is not None:
        return district.id
    if person is not None:
        return person.district_id
    if village is not None:
        return village.district_id
    return None
