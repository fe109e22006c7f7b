"""Instructor accounts and the server's signing secret."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from .models import InstructorRow, SecretRow

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
