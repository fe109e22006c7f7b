"""What LTI keeps is kept only while it is current: the library's values between login and
launch until they expire, a launch for a day; scores sent stay with their attempts."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app.store import lti
from app.store.accounts import add_instructor
from app.store.exercises import create_exercise, save_attempt
from app.store.models import LtiLaunchRow, LtiScoreRow, LtiValueRow


def exercise_of(db):
    teacher = add_instructor(db, email="t@uni.example", password="a long password")
    row = create_exercise(
        db,
        instructor_id=teacher.id,
        title="Disks",
        source="x: 1",
        templates=["chs"],
        variants=1,
        due_at=None,
        retries=False,
    )
    return row.id


def a_launch(db, exercise_id, subject="u-42"):
    return lti.save_launch(
        db,
        exercise_id=exercise_id,
        issuer="https://lms.example",
        client_id="iovlab",
        subject=subject,
        name="Grace Hopper",
        ags={"lineitem": "https://lms.example/lineitems/7"},
    )


def aged(db, launch, hours):
    launch.created_at = datetime.now(UTC) - timedelta(hours=hours)
    db.add(launch)
    db.commit()


def a_scored_attempt(db, exercise_id, launch):
    attempt = save_attempt(
        db,
        exercise_id=exercise_id,
        token="t" * 20,
        secret=launch.id,
        alias="grace hopper #abc123",
        allowed=1,
        variant=0,
        answers={},
        results=[],
        score=1.0,
    )
    lti.record_score(db, attempt.id, launch.id, datetime.now(UTC), "")
    return attempt


def test_a_value_is_gone_once_expired_and_pruned_from_the_table(db):
    values = lti.LtiValues(db)
    values.set("lti1p3-nonce-a", "state", 3600)
    values.set("lti1p3-nonce-b", {"kept": True}, 3600)
    row = db.get(LtiValueRow, "lti1p3-nonce-a")
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert values.get("lti1p3-nonce-a") is None  # past its expiry, though not yet deleted
    assert values.get("lti1p3-nonce-b") == {"kept": True}
    assert lti.prune(db).values == 1
    assert [r.key for r in db.exec(select(LtiValueRow))] == ["lti1p3-nonce-b"]


def test_a_launch_opens_for_a_day_and_is_pruned_after(db):
    exercise_id = exercise_of(db)
    old, fresh = a_launch(db, exercise_id), a_launch(db, exercise_id, "u-43")
    aged(db, old, lti.LAUNCH_HOURS - 1)
    assert lti.get_launch(db, old.id) is not None
    aged(db, old, lti.LAUNCH_HOURS + 0.1)
    assert lti.get_launch(db, old.id) is None  # over, before any prune
    pruned = lti.prune(db)
    assert pruned.launches == 1
    assert [r.id for r in db.exec(select(LtiLaunchRow))] == [fresh.id]
    assert lti.prune(db).launches == 0


def test_storing_a_launch_prunes_the_old_ones(db):
    exercise_id = exercise_of(db)
    old = a_launch(db, exercise_id)
    aged(db, old, 2 * lti.LAUNCH_HOURS)
    new = a_launch(db, exercise_id, "u-43")
    assert {r.id for r in db.exec(select(LtiLaunchRow))} == {new.id}


def test_a_score_sent_for_a_pruned_launch_stays_with_its_attempt(db):
    exercise_id = exercise_of(db)
    old = a_launch(db, exercise_id)
    attempt = a_scored_attempt(db, exercise_id, old)
    aged(db, old, lti.LAUNCH_HOURS + 1)
    assert lti.prune(db).launches == 1
    kept = lti.score_of(db, attempt.id)
    assert kept is not None and kept.posted_at is not None and kept.launch_id is None
    assert len(list(db.exec(select(LtiScoreRow)))) == 1
