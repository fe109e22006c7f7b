"""Attempts: one alias however it is typed, at most the attempts allowed under any
concurrency, and a result only for the browser that holds its secret."""

import secrets

import pytest
from sqlmodel import Session

from app.store import exercises
from app.store.accounts import add_instructor

from .conftest import at_once

SECRET = "s" * 20


@pytest.fixture
def exercise_id(db):
    teacher = add_instructor(db, email="t@example.org", password="a long password")
    return exercises.create_exercise(
        db,
        instructor_id=teacher.id,
        title="t",
        source="x: 1",
        templates=["chs"],
        variants=4,
        due_at=None,
        retries=False,
    ).id


def save(db, exercise_id, *, alias="alice", token=None, secret=SECRET, allowed=1):
    return exercises.save_attempt(
        db,
        exercise_id=exercise_id,
        token=token or secrets.token_urlsafe(18),
        secret=secret,
        alias=alias,
        allowed=allowed,
        variant=0,
        answers={"q0.x": "1"},
        results=[{"right": True}],
        score=1.0,
    )


@pytest.mark.parametrize(
    "typed",
    [
        "alice",
        "ALICE",
        "  Alice ",
        "Ａｌｉｃｅ",
        "alice\u00a0",
    ],
)
def test_an_alias_is_one_student_however_it_is_typed(typed):
    assert exercises.normalise_alias(typed) == "alice"


def test_normalising_folds_spaces_case_and_compatibility_forms():
    assert exercises.normalise_alias("  Jean \t  PIERRE\n") == "jean pierre"
    assert exercises.normalise_alias("Straße") == "strasse"
    assert exercises.normalise_alias("ﬁona") == "fiona"  # the ligature ﬁ
    assert len(exercises.normalise_alias("x" * 200)) == 80


def test_a_second_attempt_under_another_spelling_of_the_alias_is_refused(db, exercise_id):
    first = save(db, exercise_id, alias="Alice")
    assert first.alias == "alice" and first.number == 1
    with pytest.raises(exercises.NoAttemptsLeft):
        save(db, exercise_id, alias=" ALICE ")
    assert [a.token for a in exercises.attempts_of(db, exercise_id, "alice")] == [first.token]
    assert exercises.count_attempts(db, exercise_id, "Ａlice") == 1


def test_with_retries_each_attempt_is_numbered_up_to_the_allowed(db, exercise_id):
    numbers = [save(db, exercise_id, allowed=3).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    with pytest.raises(exercises.NoAttemptsLeft, match="used its 3 attempt"):
        save(db, exercise_id, allowed=3)


@pytest.mark.parametrize("allowed", [1, 3])
def test_sixteen_submits_at_once_under_one_alias_store_exactly_the_allowed(
    engine, exercise_id, allowed
):
    # different forms (tokens) under one alias, as from 16 browsers or a script
    results = at_once(engine, 16, lambda db, i: save(db, exercise_id, alias="bob", allowed=allowed))
    stored = [r for r in results if isinstance(r, exercises.AttemptRow)]
    refused = [r for r in results if isinstance(r, exercises.NoAttemptsLeft)]
    assert (len(stored), len(refused)) == (allowed, 16 - allowed), results
    assert sorted(r.number for r in stored) == list(range(1, allowed + 1))
    with Session(engine) as db:
        assert exercises.count_attempts(db, exercise_id, "bob") == allowed


def test_the_same_form_sent_twice_at_once_is_one_attempt(engine, db, exercise_id):
    results = at_once(engine, 8, lambda session, i: save(session, exercise_id, token="t" * 24))
    assert {r.id for r in results} == {results[0].id}
    assert len(exercises.attempts_of(db, exercise_id)) == 1


def test_a_result_is_returned_only_with_the_secret_it_was_saved_with(db, exercise_id):
    attempt = save(db, exercise_id, secret="the browser's own secret")
    found = exercises.attempt_for(db, exercise_id, attempt.token, "the browser's own secret")
    assert found is not None and found.id == attempt.id
    assert exercises.attempt_for(db, exercise_id, attempt.token, "another browser's secret") is None
    assert exercises.attempt_for(db, exercise_id, attempt.token, "") is None
    assert attempt.secret_hash != "the browser's own secret"  # only a hash is kept
    # the form's token (seen in a result's address) does not let another browser resubmit
    with pytest.raises(exercises.NoAttemptsLeft):
        save(db, exercise_id, alias="mallory", token=attempt.token, secret="m" * 20)


def test_a_secret_must_be_long_enough_to_guess_nothing(db, exercise_id):
    with pytest.raises(ValueError, match="secret"):
        save(db, exercise_id, secret="short")
