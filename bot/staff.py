"""Staff accounts: creation, passwords (argon2), two-step sign-in (TOTP), recovery codes, lockout.

Why here and not in the web layer: `bot staff add|disable|reset-password` and the console's admin
page do the same things; both call these functions, which write the audit entry in the same
transaction as the change. No default account or password exists; the first admin comes from the CLI.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.models import ROLES, Staff, StaffSession
from bot.settings import Settings

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
RECOVERY_CODES = 10
TOTP_ISSUER = "Clinic review console"
_hasher = PasswordHasher()
# Verified against when an e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why, for the person at hand."""


def _cli_actor() -> str:
    """Who ran `bot staff ...`: the operating-system account, for the audit log."""
    import getpass

    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, settings: Settings, email: str = "") -> Optional[str]:
    """Why this password cannot be used, or None. Length and a common-password list only (no
    composition rules): long passphrases and password managers are what we want people to use."""
    minimum = settings.console.password_min_length
    if len(password) < minimum:
        return f"The password must be at least {minimum} characters long."
    if len(password) > 1024:
        return "The password must be at most 1024 characters long."
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        return "That password is on the list of common passwords. Choose another one."
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        return "The password must not be the e-mail address."
    return None


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 255 or any(c.isspace() for c in email):
        raise AccountError("Enter an e-mail address, such as name@clinic.example.")
    return email


def find(session: Session, email: str) -> Optional[Staff]:
    return session.execute(select(Staff).where(Staff.email == email.strip().lower())).scalar_one_or_none()


def by_public_id(session: Session, public_id: str) -> Optional[Staff]:
    return session.execute(select(Staff).where(Staff.public_id == public_id)).scalar_one_or_none()


def any_admin(session: Session) -> bool:
    return bool(session.execute(
        select(func.count()).select_from(Staff).where(Staff.role == "admin", Staff.disabled_at.is_(None))
    ).scalar())


def add(
    session: Session, settings: Settings, email: str, role: str, password: str, *,
    by: Optional[Staff] = None, address: Optional[str] = None, require_two_step: bool = False,
) -> Staff:
    """Create an account (AccountError when the e-mail is taken, the role unknown or the password weak)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    problem = password_problem(password, settings, email)
    if problem:
        raise AccountError(problem)
    if find(session, email):
        raise AccountError(f"An account for {email} exists already.")
    member = Staff(email=email, role=role, password_hash=_hasher.hash(password),
                   totp_required=require_two_step, recovery_codes=[])
    session.add(member)
    session.flush()
    audit.record(session, "staff_added", staff=by, actor=_cli_actor() if by is None else None, target=email,
                 address=address, detail={"role": role, "two_step_required": two_step_required(member, settings)})
    return member


def end_sessions(session: Session, member: Staff) -> int:
    """End every session of this account at once (disable, password reset)."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == member.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0


def set_disabled(session: Session, member: Staff, disabled: bool, *, by: Optional[Staff] = None,
                 address: Optional[str] = None) -> None:
    if by is not None and by.id == member.id and disabled:
        raise AccountError("You cannot disable your own account.")
    member.disabled_at = utcnow() if disabled else None
    if disabled:
        end_sessions(session, member)
    else:
        member.failed_logins, member.locked_until = 0, None
    audit.record(session, "staff_disabled" if disabled else "staff_enabled", staff=by,
                 actor=_cli_actor() if by is None else None, target=member.email, address=address)


def reset_password(session: Session, settings: Settings, member: Staff, password: str, *,
                   by: Optional[Staff] = None, address: Optional[str] = None, reset_two_step: bool = False) -> None:
    """A new password set by an admin (or the CLI): ends the account's sessions, lifts a lockout.
    With reset_two_step (a lost device and lost recovery codes), two-step sign-in is set up afresh at
    the next sign-in."""
    problem = password_problem(password, settings, member.email)
    if problem:
        raise AccountError(problem)
    member.password_hash = _hasher.hash(password)
    member.failed_logins, member.locked_until = 0, None
    if reset_two_step:
        member.totp_secret, member.totp_last_step, member.recovery_codes = None, None, []
    end_sessions(session, member)
    audit.record(session, "password_reset", staff=by, actor=_cli_actor() if by is None else None,
                 target=member.email, address=address, detail={"two_step_reset": reset_two_step})


def change_own_password(session: Session, settings: Settings, member: Staff, current: str, new: str,
                        address: Optional[str] = None) -> None:
    if not verify_password(member, current):
        raise AccountError("The current password is not right.")
    problem = password_problem(new, settings, member.email)
    if problem:
        raise AccountError(problem)
    member.password_hash = _hasher.hash(new)
    audit.record(session, "password_changed", staff=member, target=member.email, address=address)


def verify_password(member: Optional[Staff], password: str) -> bool:
    try:
        return _hasher.verify(member.password_hash if member else _DUMMY_HASH, password) and member is not None
    except (VerificationError, InvalidHashError):
        return False


def two_step_required(member: Staff, settings: Settings) -> bool:
    return member.role == "admin" or settings.console.require_two_step == "all" or bool(member.totp_required)


def is_locked(member: Staff, now: Optional[datetime] = None) -> bool:
    locked_until = aware(member.locked_until)
    return locked_until is not None and locked_until > (now or utcnow())


def slow_down_seconds(failures: int) -> float:
    """How long a failed sign-in waits before answering: doubles with each failure, at most 4 s."""
    return 0.0 if failures <= 0 else min(4.0, 0.25 * 2 ** (failures - 1))


@dataclass
class SignInResult:
    member: Optional[Staff]
    ok: bool
    message: str = ""
    delay: float = 0.0


SIGN_IN_FAILED = "The e-mail address or password is not right."


def check_sign_in(session: Session, settings: Settings, email: str, password: str,
                  address: Optional[str]) -> SignInResult:
    """Password step of a sign-in, with lockout and audit. The message never says whether the
    e-mail exists (except for a locked account, whose owner needs to know to wait)."""
    email = (email or "").strip().lower()[:255]
    member = find(session, email) if email else None
    if member is not None and is_locked(member):
        verify_password(None, password)
        audit.record(session, "login_failed", actor=email, target=email, address=address,
                     detail={"reason": "locked"})
        minutes = settings.console.lockout_minutes
        return SignInResult(member, False, f"This account is locked after repeated failed sign-ins. "
                            f"Try again in {minutes} minutes, or ask an admin to reset the password.", 1.0)
    if not verify_password(member, password) or member is None or member.disabled_at is not None:
        reason = "unknown_account" if member is None else ("disabled" if member and member.disabled_at else "password")
        audit.record(session, "login_failed", actor=email or "(empty)", target=email or None, address=address,
                     detail={"reason": reason})
        failures = 1
        if member is not None and member.disabled_at is None:
            member.failed_logins = (member.failed_logins or 0) + 1
            failures = member.failed_logins
            if failures >= settings.console.lockout_after_failures:
                member.locked_until = utcnow() + timedelta(minutes=settings.console.lockout_minutes)
                member.failed_logins = 0
                audit.record(session, "login_locked", actor=email, target=email, address=address,
                             detail={"minutes": settings.console.lockout_minutes})
        return SignInResult(None, False, SIGN_IN_FAILED, slow_down_seconds(failures))
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
    return SignInResult(member, True)


def signed_in(session: Session, member: Staff, address: Optional[str], *, method: str) -> None:
    """The whole sign-in succeeded: reset the failure count, audit."""
    member.failed_logins, member.locked_until = 0, None
    member.last_login_at = utcnow()
    audit.record(session, "login", staff=member, target=member.email, address=address, detail={"method": method})


# --- two-step sign-in --------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def _code(code: str) -> str:
    return "".join(c for c in (code or "") if c.isalnum()).lower()


def totp_step(secret: str, code: str, last_step: Optional[int] = None, at: Optional[datetime] = None) -> Optional[int]:
    """The time step a 6-digit code matches (this one or the one before/after, for clock drift), or
    None. A step at or before `last_step` is refused: each code works once."""
    code = _code(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = (at or utcnow()).timestamp()
    current = int(now // totp.interval)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(_code(code).encode()).hexdigest()


def new_recovery_codes(member: Staff) -> list[str]:
    """Ten single-use codes, shown once; only their hashes are kept."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    member.recovery_codes = [_hash_code(code) for code in codes]
    return codes


def use_recovery_code(member: Staff, code: str) -> bool:
    hashed = _hash_code(code)
    remaining = list(member.recovery_codes or [])
    if not _code(code) or hashed not in remaining:
        return False
    remaining.remove(hashed)
    member.recovery_codes = remaining
    return True


def enable_two_step(session: Session, member: Staff, secret: str, step: int, address: Optional[str]) -> list[str]:
    member.totp_secret = secret
    member.totp_last_step = step
    codes = new_recovery_codes(member)
    audit.record(session, "two_step_enabled", staff=member, target=member.email, address=address)
    return codes
