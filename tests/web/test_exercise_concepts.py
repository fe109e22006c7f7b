"""An instructor can ask the concept questions on any scenario, and students see why."""

import pytest
from markupsafe import escape
from sqlmodel import Session

from app.exercises.variants import variant_of, variant_questions
from app.sim import load_scenario
from app.store.accounts import add_instructor
from app.store.exercises import get_exercise

from .test_exercises import PASSWORD, create_exercise, sign_in, submit

CONCEPTS = ["classify_device", "pick_levels", "true_false"]


@pytest.fixture
def instructor(client):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="teacher@example.org", password=PASSWORD)
    return "teacher@example.org"


def questions_of(client, exercise_id, alias):
    with Session(client.app.state.iovlab.engine) as db:
        exercise = get_exercise(db, exercise_id)
    variant = variant_of(exercise_id, alias, exercise.variants)
    return variant_questions(load_scenario(exercise.source), CONCEPTS, exercise_id, variant)


def test_concept_questions_fit_a_printer_only_machine_and_grade_with_misconceptions(
    client, instructor
):
    sign_in(client, instructor)
    exercise_id = create_exercise(client, scenario="spooled", templates=CONCEPTS)
    client.cookies.clear()
    page = client.get(f"/x/{exercise_id}", params={"alias": "ada"}).text
    for q in questions_of(client, exercise_id, "ada"):
        assert str(escape(q.prompt)) in page
        for row in q.table:
            assert str(escape(str(list(row.values())[-1]))) in page
    right, _ = submit(client, exercise_id, "ada", right=True)
    assert "100%" in client.get(right).text
    wrong_url, _ = submit(client, exercise_id, "bob", right=False)
    wrong = client.get(wrong_url).text
    assert "0%" in wrong
    questions = questions_of(client, exercise_id, "bob")
    fields = sum(len(q.fields) for q in questions)
    assert wrong.count('class="tag"') == fields  # every wrong choice says what it reveals
    for q in questions:
        assert str(escape(q.explanation)) in wrong
    sign_in(client, instructor)
    results = client.get(f"/instructor/exercises/{exercise_id}").text
    assert "<h3>device</h3>" in results and "<h3>trap</h3>" in results


def test_watching_a_concept_question_opens_the_trace_that_shows_it(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client, templates=CONCEPTS)
    url, _ = submit(client, exercise_id, "ada", right=False)
    for number, question in enumerate(questions_of(client, exercise_id, "ada")):
        # all-devices has a device for each, but a true/false question's four statements,
        # drawn at random, may all be ones no trace of this machine shows (a passed-through
        # device's DMA, say): its machine then opens at its start
        shown = question.template != "true_false" or question.commands
        assert shown or question.focus == -1
        response = client.post(f"{url}/watch/{number}", follow_redirects=False)
        session_id = response.headers["location"].rsplit("/", 1)[1]
        info = client.get(f"/api/sessions/{session_id}").json()
        trace = client.get(f"/api/sessions/{session_id}/trace").json()
        assert len(info["commands"]) == len(question.commands)
        assert info["cursor"] == question.focus
        if shown:
            assert question.commands
            assert 0 <= info["cursor"] < len(trace["hops"])


def test_practice_offers_the_concept_questions_on_every_shipped_machine(client):
    index = client.get("/practice").text
    assert index.count("Classify devices into the five categories") == len(
        client.app.state.iovlab.shipped
    )
    from app.exercises.variants import questions

    scenario = client.app.state.iovlab.shipped["virtual"].scenario
    (question,) = questions(scenario, ["true_false"], "practice/00000000000000ff")
    answered = client.post(
        "/practice/virtual",
        data={"template": "true_false", "seed": "00000000000000ff", **question.answer},
    )
    assert "Right" in answered.text and "<strong>1</strong> right in a row" in answered.text
