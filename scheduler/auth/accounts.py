"""User accounts: creating them, signing in with throttling, changing passwords and locales.

The functions work on a session and never commit: the caller owns the unit of work. Errors
carry a machine `code` and `params` so the web layer can show them in the reader's language
and the command line can print the English text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import AuditEntry, District, Person, Site, User
from models.vocab import USER_ROLES

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
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
    # None on success; else "bad_credentials", "locked" or "inactive".
    refusal: str | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None and self.refusal is None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def check_password_rules(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_too_short",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            min_length=MIN_PASSWORD_LENGTH,
        )
    if password.strip().casefold() == username.strip().casefold():
        raise AccountError("password_is_username", "The password must not be the username.")


def authenticate(session: Session, username: str, password: str, now: datetime) -> LoginOutcome:
    """Check a username and password, counting failures and locking after too many.

    `MAX_FAILED_LOGINS` wrong passwords in a row lock the account for `LOCK_MINUTES`; while it
    is locked even the right password is refused, so guessing gains nothing.
    """
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome(None, "bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        return LoginOutcome(None, "locked", user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            _audit(session, user, "user.locked", until=user.locked_until.isoformat())
            session.flush()
            return LoginOutcome(None, "locked", user.locked_until)
        session.flush()
        return LoginOutcome(None, "bad_credentials")
    if not user.active:
        return LoginOutcome(None, "inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return LoginOutcome(user)


def _needs_rehash(password_hash: str) -> bool:
    # Hashes of an older method (pbkdf2 from an import, say) become scrypt on the next sign-in.
    return not password_hash.startswith("scrypt:")


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("wrong_current_password", "The current password is wrong.")
    if new == current:
        raise AccountError("password_unchanged", "The new password must differ from the current one.")
    check_password_rules(new, user.username)
    user.password_hash = hash_password(new)
    _audit(session, user, "user.password_changed")
    session.flush()


def reset_password(session: Session, user: User, new: str) -> None:
    """Set a password without knowing the old one (an administrator's reset), and unlock."""
    check_password_rules(new, user.username)
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None
    _audit(session, user, "user.password_reset", by_self=False)
    session.flush()


def unlock(session: Session, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def _audit(session: Session, user: User, action: str, by_self: bool = True, **details: object) -> None:
    # The actor is the account itself (sign-in, own change) or an administrator at the command
    # line, who has no account row: then no user is recorded.
    session.add(AuditEntry(
        user_id=user.id if by_self else None, district_id=user.district_id,
        action=action, object_type="user", object_id=user.username, details=dict(details),
    ))


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
    check_password_rules(password, username)
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
