"""Sign-in: failures are counted per address and per account, and a sign-in is a
server-side record that signing out deletes."""

from datetime import UTC, datetime, timedelta

import pytest

from app.store import accounts
from app.store.models import LoginRow

from .conftest import at_once

PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    """Each try costs an argon2 hash: limits of 3 and 4 test the same counting, faster."""
    monkeypatch.setattr(accounts, "FAILURES_PER_ADDRESS", 3)
    monkeypatch.setattr(accounts, "FAILURES_PER_ACCOUNT", 4)


@pytest.fixture
def teacher(db):
    return accounts.add_instructor(db, email="t@example.org", password=PASSWORD)


def test_a_sign_in_lasts_until_signing_out_even_for_a_copy_of_the_cookie(db, teacher):
    done = accounts.sign_in(db, email=" T@example.org", password=PASSWORD, address="10.0.0.1")
    assert done is not None and done.instructor.id == teacher.id
    copied = done.login_id  # what a copied cookie would hold
    assert accounts.signed_in(db, copied).id == teacher.id
    other = accounts.sign_in(db, email="t@example.org", password=PASSWORD, address="10.0.0.2")
    accounts.sign_out(db, done.login_id)
    assert accounts.signed_in(db, copied) is None
    assert accounts.signed_in(db, other.login_id).id == teacher.id  # another browser stays in
    accounts.sign_out_everywhere(db, teacher.id)
    assert accounts.signed_in(db, other.login_id) is None
    assert db.get(LoginRow, copied) is None  # only a hash of the id is stored


def test_a_sign_in_ends_after_its_hours(db, teacher):
    done = accounts.sign_in(db, email="t@example.org", password=PASSWORD, address="a")
    login = db.get(LoginRow, accounts._hash(done.login_id))
    login.created_at = datetime.now(UTC) - timedelta(hours=accounts.LOGIN_HOURS, minutes=1)
    db.add(login)
    db.commit()
    assert accounts.signed_in(db, done.login_id) is None
    assert accounts.signed_in(db, "") is None and accounts.signed_in(db, "x" * 500) is None


def test_failed_sign_ins_from_one_address_are_limited_and_successes_do_not_count(db, teacher):
    def try_(password, address="10.0.0.9", now=T0):
        return accounts.sign_in(
            db, email="t@example.org", password=password, address=address, now=now
        )

    for _ in range(accounts.FAILURES_PER_ADDRESS - 1):
        assert try_("wrong") is None
    for _ in range(2):
        assert try_(PASSWORD) is not None  # successes give their place back
    assert try_("wrong") is None  # the third failure
    with pytest.raises(accounts.TooManyFailures) as refused:
        try_(PASSWORD, now=T0 + 60)  # even the right password: it is not checked
    assert refused.value.wait_s == accounts.FAILURE_WINDOW_S - 60
    assert try_(PASSWORD, address="10.0.0.10", now=T0 + 60) is not None
    assert try_(PASSWORD, now=T0 + accounts.FAILURE_WINDOW_S) is not None


def test_failed_sign_ins_to_one_account_are_limited_from_any_address(db, teacher):
    for n in range(accounts.FAILURES_PER_ACCOUNT):
        assert (
            accounts.sign_in(db, email="t@example.org", password="x", address=f"a{n}", now=T0)
            is None
        )
    with pytest.raises(accounts.TooManyFailures):
        accounts.sign_in(db, email="T@Example.org", password=PASSWORD, address="fresh", now=T0)
    # an unknown account is counted the same way (no hint which accounts exist)
    for n in range(accounts.FAILURES_PER_ACCOUNT):
        accounts.sign_in(db, email="nobody@example.org", password="x", address=f"b{n}", now=T0)
    with pytest.raises(accounts.TooManyFailures):
        accounts.sign_in(db, email="nobody@example.org", password="x", address="c", now=T0)


def test_wrong_passwords_sent_at_once_are_checked_no_more_than_the_limit(engine, teacher):
    results = at_once(
        engine,
        12,
        lambda db, i: accounts.sign_in(db, email="t@example.org", password="no", address="nat"),
    )
    assert results.count(None) == 3
    assert sum(isinstance(r, accounts.TooManyFailures) for r in results) == 9
