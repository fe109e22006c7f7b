"""Instructor accounts, their sign-ins, and the server's signing secret."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from . import limits
from .models import InstructorRow, LoginRow, SecretRow

FAILURES_PER_ADDRESS = 10  # failed sign-ins from one address in FAILURE_WINDOW_S
FAILURES_PER_ACCOUNT = 20  # failed sign-ins to one account, from anywhere, in FAILURE_WINDOW_S
FAILURE_WINDOW_S = 900.0
LOGIN_HOURS = 12.0  # a sign-in lasts this long at most, as the cookie does

_hasher = PasswordHasher()


def signing_secret(db: Session) -> str:
    """The cookie-signing secret, made once and kept in the database."""
    row = db.get(SecretRow, "session_signing")
    if row is None:
        row = SecretRow(name="session_signing", value=secrets.token_urlsafe(48))
        db.add(row)
        db.commit()
    return row.value


def add_instructor(db: Session, *, email: str, password: str) -> InstructorRow:
    email = email.strip().lower()
    if find_instructor(db, email=email) is not None:
        raise ValueError(f"{email} is already an instructor")
    row = InstructorRow(email=email, password_hash=_hasher.hash(password))
    db.add(row)
    db.commit()
    return row


def find_instructor(db: Session, *, email: str) -> InstructorRow | None:
    query = select(InstructorRow).where(InstructorRow.email == email.strip().lower())
    return db.exec(query).first()


def authenticate(db: Session, *, email: str, password: str) -> InstructorRow | None:
    row = find_instructor(db, email=email)
    if row is None:
        _hasher.hash(password)  # as slow as a real check: no hint which emails exist
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return row


class TooManyFailures(Exception):
    """Too many failed sign-ins from this address or to this account: wait ``wait_s``."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"too many failed sign-ins: try again in {wait_s:.0f} s")


@dataclass(frozen=True, slots=True)
class SignedIn:
    instructor: InstructorRow
    login_id: str  # what the cookie holds; ``sign_out`` revokes it


def sign_in(
    db: Session,
    *,
    email: str,
    password: str,
    address: str,
    now: float | None = None,
) -> SignedIn | None:
    """Check a password; on success a new login, revocable, whose id the cookie holds.

    Each try takes a place under ``login:<address>`` and ``login-account:<email>`` before
    the password is checked (so tries at once cannot overshoot), and a success gives its
    places back: only failures count. Past either limit, TooManyFailures says how long
    to wait, and the password is not checked at all.
    """
    email = email.strip().lower()
    places: list[int | None] = []
    for key, limit in (
        (f"login:{address}", FAILURES_PER_ADDRESS),
        (f"login-account:{email}", FAILURES_PER_ACCOUNT),
    ):
        verdict = limits.take(db, key=key, limit=limit, window_s=FAILURE_WINDOW_S, now=now)
        if not verdict.allowed:
            for taken in places:
                limits.give_back(db, taken)
            raise TooManyFailures(verdict.wait_s)
        places.append(verdict.hit_id)
    row = authenticate(db, email=email, password=password)
    if row is None:
        return None
    for taken in places:
        limits.give_back(db, taken)
    assert row.id is not None
    login_id = secrets.token_urlsafe(32)
    db.add(LoginRow(id_hash=_hash(login_id), instructor_id=row.id))
    cutoff = datetime.now(UTC) - timedelta(hours=LOGIN_HOURS)
    db.exec(delete(LoginRow).where(col(LoginRow.created_at) <= cutoff))  # expired ones
    db.commit()
    return SignedIn(row, login_id)


def signed_in(db: Session, login_id: str) -> InstructorRow | None:
    """The instructor of a login that was neither signed out nor is older than LOGIN_HOURS."""
    if not 0 < len(login_id) <= 100:
        return None
    login = db.get(LoginRow, _hash(login_id))
    if login is None:
        return None
    created = login.created_at if login.created_at.tzinfo else login.created_at.replace(tzinfo=UTC)
    if datetime.now(UTC) - created > timedelta(hours=LOGIN_HOURS):
        return None
    return db.get(InstructorRow, login.instructor_id)


def get_instructor(db: Session, instructor_id: int) -> InstructorRow | None:
    return db.get(InstructorRow, instructor_id)


def sign_out(db: Session, login_id: str) -> None:
    """Revoke a login: a copy of its cookie no longer signs anyone in."""
    db.exec(delete(LoginRow).where(col(LoginRow.id_hash) == _hash(login_id)))
    db.commit()


def sign_out_everywhere(db: Session, instructor_id: int) -> None:
    db.exec(delete(LoginRow).where(col(LoginRow.instructor_id) == instructor_id))
    db.commit()


def _hash(login_id: str) -> str:
    """Only a hash is stored: a copy of the table signs no one in."""
    return hashlib.sha256(login_id.encode("utf-8")).hexdigest()
