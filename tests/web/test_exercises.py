"""Instructors author exercises, students answer them, the results add up."""

import csv
import io
import json
import re

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli
from app.exercises.question import Field
from app.exercises.variants import variant_of, variant_questions
from app.sim import load_scenario
from app.sim.trace import STATUSES
from app.store.accounts import add_instructor
from app.store.exercises import attempts_of, get_exercise

PASSWORD = "correct horse battery"


@pytest.fixture
def instructor(client):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="Teacher@Example.org", password=PASSWORD)
    return "teacher@example.org"


def sign_in(client, email, password=PASSWORD):
    return client.post(
        "/instructor/login", data={"email": email, "password": password}, follow_redirects=False
    )


def create_exercise(client, **overrides):
    form = {
        "title": "Disks and frames",
        "scenario": "all-devices",
        "templates": ["chs", "frame", "status"],
        "variants": "4",
        "due_at": "",
        **overrides,
    }
    response = client.post("/instructor/exercises", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def two_aliases_with_different_variants(exercise_id, variants=4):
    names = [f"student{i}" for i in range(50)]
    first = names[0]
    other = next(
        n
        for n in names
        if variant_of(exercise_id, n, variants) != variant_of(exercise_id, first, variants)
    )
    return first, other


def answers_for(client, exercise_id, alias, right=True):
    with Session(client.app.state.iovlab.engine) as db:
        exercise = get_exercise(db, exercise_id)
    variant = variant_of(exercise_id, alias, exercise.variants)
    questions = variant_questions(
        load_scenario(exercise.source), json.loads(exercise.templates), exercise_id, variant
    )
    form = {}
    for i, q in enumerate(questions):
        for f in q.fields:
            form[f"q{i}.{f.name}"] = (
                q.answer[f.name] if right else wrong_answer(f, q.answer[f.name])
            )
    return form


STATUS_FIELD = Field("status", "status", "choice", STATUSES)


def wrong_answer(field, right):
    """An answer that is one (a number, one of the choices) and is wrong."""
    if field.kind == "number":
        return str(float(right) + 7)
    if field.kind == "choice":
        return next(c for c in field.choices if c != right)
    return "nobody"


def submit(client, exercise_id, alias, right=True):
    page = client.get(f"/x/{exercise_id}", params={"alias": alias})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    form = {"alias": alias, "token": token, **answers_for(client, exercise_id, alias, right)}
    response = client.post(f"/x/{exercise_id}/attempts", data=form, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"], form


def test_the_cli_adds_an_instructor_with_a_hashed_password(client, settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(
        cli, ["instructor", "add", "prof@uni.example"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    from app.store.accounts import authenticate, find_instructor

    with Session(client.app.state.iovlab.engine) as db:
        row = find_instructor(db, email="prof@uni.example")
        assert row.password_hash.startswith("$argon2") and PASSWORD not in row.password_hash
        assert authenticate(db, email="prof@uni.example", password=PASSWORD) is not None
        assert authenticate(db, email="prof@uni.example", password="wrong password") is None
    short = CliRunner().invoke(cli, ["instructor", "add", "b@uni.example"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output


def test_sign_in_sets_an_httponly_samesite_cookie_and_a_wrong_password_is_refused(
    client, instructor
):
    assert sign_in(client, instructor, "not the password").status_code == 401
    response = sign_in(client, instructor)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/instructor").status_code == 200


def test_signing_out_revokes_the_cookie_so_a_copy_of_it_stops_working(client, instructor, settings):
    from fastapi.testclient import TestClient

    from app.web.app import create_app

    sign_in(client, instructor)
    copied = dict(client.cookies)
    assert client.post("/instructor/logout", follow_redirects=False).status_code == 303
    with TestClient(create_app(settings), cookies=copied) as thief:
        assert thief.get("/instructor").status_code == 403


def test_failed_sign_ins_are_limited_with_a_retry_after(client, instructor):
    from app.store.accounts import FAILURES_PER_ADDRESS

    for _ in range(FAILURES_PER_ADDRESS):
        assert sign_in(client, instructor, "not the password").status_code == 401
    refused = sign_in(client, instructor)  # even the right password waits now
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text
    assert int(refused.headers["retry-after"]) >= 1


def test_an_instructor_creates_an_exercise_with_templates_variants_and_due_date(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client, due_at="2099-01-31T12:00", retries="on")
    page = client.get(f"/instructor/exercises/{exercise_id}").text
    assert (
        f"/x/{exercise_id}" in page
        and "due 2099-01-31 12:00 UTC" in page
        and "retries allowed" in page
    )


def test_authoring_refuses_a_template_the_scenario_cannot_ask(client, instructor):
    sign_in(client, instructor)
    form = {"scenario": "spooled", "templates": ["chs"], "variants": "4"}
    response = client.post("/instructor/exercises", data=form)
    assert response.status_code == 422
    assert "Physical block and C/H/S of a guest&#39;s virtual block” does not fit" in response.text
    # the form is shown again as it was typed
    assert '<option value="spooled" selected>' in response.text
    assert 'value="chs" checked' in response.text and 'value="4"' in response.text


def test_two_students_get_different_variants_answer_and_see_why(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    client.cookies.clear()  # the students have no instructor cookie
    ada, bob = two_aliases_with_different_variants(exercise_id)
    ada_page = client.get(f"/x/{exercise_id}", params={"alias": ada}).text
    bob_page = client.get(f"/x/{exercise_id}", params={"alias": bob}).text
    assert re.findall(r"<p>(.*?)</p>", ada_page) != re.findall(r"<p>(.*?)</p>", bob_page)
    right_url, _ = submit(client, exercise_id, ada, right=True)
    wrong_url, _ = submit(client, exercise_id, bob, right=False)
    right = client.get(right_url).text
    wrong = client.get(wrong_url).text
    assert "100%" in right and "0%" in wrong
    assert "The rule: physical block = partition start + virtual block" in wrong
    assert "Watch where the answer comes from" in wrong


def test_the_instructor_sees_partial_credit_each_answer_and_the_csv(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client, **{"points.chs": "4"})
    ada, bob = two_aliases_with_different_variants(exercise_id)
    submit(client, exercise_id, ada, right=True)
    page = client.get(f"/x/{exercise_id}", params={"alias": bob})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    answers = answers_for(client, exercise_id, bob, right=True)
    right_sector = answers["q0.sector"]
    answers["q0.sector"] = str(int(right_sector) - 1)  # sectors counted from 0
    answers["q2.status"] = wrong_answer(STATUS_FIELD, answers["q2.status"])
    client.post(f"/x/{exercise_id}/attempts", data={"alias": bob, "token": token, **answers})
    page = client.get(f"/instructor/exercises/{exercise_id}").text
    assert f">{ada}</a>" in page and f">{bob}</a>" in page
    # bob: 3 of the 4 points of C/H/S, the frame right (1), the status wrong (0 of 1): 4 of 6
    assert "<td>4 / 6</td>" in page and "<td>6 / 6</td>" in page
    assert "1 × sectors counted from 0 (they count from 1)" in page
    assert "<h3>mapping</h3>" in page and "<h3>status</h3>" in page
    bob_link = re.search(rf'href="(/instructor/exercises/{exercise_id}/attempts/\d+)">{bob}<', page)
    detail = client.get(bob_link.group(1)).text
    assert f"{int(right_sector) - 1} ✗" in detail and f"<strong>{right_sector}</strong>" in detail
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/instructor/exercises/{exercise_id}/results.csv").text)
        )
    )
    by_alias = {r["alias"]: r for r in rows}
    assert by_alias[ada]["score"] == "1.000" and by_alias[bob]["points"] == "4"
    assert by_alias[bob]["chs.sector"] == str(int(right_sector) - 1)
    assert by_alias[bob]["chs.sector.right"] == "0" and by_alias[bob]["chs.head.right"] == "1"
    assert by_alias[bob]["chs.points"] == "3" and by_alias[bob]["out_of"] == "6"


def test_blank_and_not_a_number_are_refused_before_they_count(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    page = client.get(f"/x/{exercise_id}", params={"alias": "cy"})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    answers = {**answers_for(client, exercise_id, "cy"), "q0.cylinder": "abc", "q0.head": ""}
    refused = client.post(
        f"/x/{exercise_id}/attempts", data={"alias": "cy", "token": token, **answers}
    )
    assert refused.status_code == 422
    assert "cylinder: &#39;abc&#39; is not a number" in refused.text
    assert "head: give an answer" in refused.text and 'value="abc"' in refused.text
    with Session(client.app.state.iovlab.engine) as db:
        assert attempts_of(db, exercise_id) == []


def test_submitting_twice_stores_one_attempt_and_survives_a_restart(client, instructor, settings):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    url, form = submit(client, exercise_id, "ada")
    again = client.post(f"/x/{exercise_id}/attempts", data=form, follow_redirects=False)
    assert again.headers["location"] == url
    from fastapi.testclient import TestClient

    from app.web.app import create_app

    with TestClient(create_app(settings)) as elsewhere:  # another browser: not its result
        assert elsewhere.get(url).status_code == 404
    with TestClient(create_app(settings), cookies=client.cookies) as restarted:
        assert restarted.get(url).status_code == 200
        with Session(restarted.app.state.iovlab.engine) as db:
            assert len(attempts_of(db, exercise_id)) == 1


def test_without_retries_a_student_comes_back_to_their_result(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    url, _ = submit(client, exercise_id, "ada")
    back = client.get(f"/x/{exercise_id}", params={"alias": "ada"}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == url


def test_an_alias_typed_otherwise_is_the_same_student_and_its_result_stays_in_its_browser(
    client, instructor, settings
):
    from fastapi.testclient import TestClient

    from app.web.app import create_app

    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    url, form = submit(client, exercise_id, "alice")
    with TestClient(create_app(settings)) as other:
        for typed in ("alice", "ALICE", " Alice  "):
            # once this redirected anyone to alice's answers, or gave a fresh attempt
            page = other.get(f"/x/{exercise_id}", params={"alias": typed}, follow_redirects=False)
            assert page.status_code == 409 and "used its attempts" in page.text, typed
        assert other.get(url).status_code == 404
        token = "t" * 24
        again = other.post(
            f"/x/{exercise_id}/attempts",
            data={**form, "alias": "ＡＬＩＣＥ", "token": token},
            follow_redirects=False,
        )
        assert again.status_code == 409
    with Session(client.app.state.iovlab.engine) as db:
        assert [a.alias for a in attempts_of(db, exercise_id)] == ["alice"]
    back = client.get(f"/x/{exercise_id}", params={"alias": "Alice"}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == url


def test_with_retries_an_alias_has_ten_attempts(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client, retries="on")
    urls = {submit(client, exercise_id, "ada", right=False)[0] for _ in range(10)}
    assert len(urls) == 10
    eleventh = client.get(f"/x/{exercise_id}", params={"alias": "ada"}, follow_redirects=False)
    assert eleventh.status_code == 303  # back to this browser's latest result, no new form
    with Session(client.app.state.iovlab.engine) as db:
        assert len(attempts_of(db, exercise_id, "ada")) == 10


def test_a_student_cookie_cannot_open_instructor_pages_or_the_answer_key(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    client.cookies.clear()
    submit(client, exercise_id, "ada")
    for url in (
        "/instructor",
        f"/instructor/exercises/{exercise_id}",
        f"/instructor/exercises/{exercise_id}/results.csv",
        f"/instructor/exercises/{exercise_id}/export",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/instructor/exercises", data={"scenario": "levels"}).status_code == 403
    page = client.get(f"/x/{exercise_id}", params={"alias": "carol"}).text
    # nothing of the answers shows before submitting
    assert "The rule" not in page and "from the simulation" not in page
    client.cookies.set("iovlab_session", "eyJpbnN0cnVjdG9yX2lkIjogMX0=.forged.sig")
    assert client.get("/instructor").status_code == 403


def test_another_instructor_cannot_see_an_exercise(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="other@example.org", password=PASSWORD)
    sign_in(client, "other@example.org")
    assert client.get(f"/instructor/exercises/{exercise_id}").status_code == 404
    assert client.get(f"/instructor/exercises/{exercise_id}/results.csv").status_code == 404


def test_an_exercise_moves_between_servers_as_a_file(client, instructor, tmp_path):
    sign_in(client, instructor)
    exercise_id = create_exercise(
        client, retries="on", **{"points.chs": "4", "tolerance.chs": "1", "partial.chs": "off"}
    )
    exported = client.get(f"/instructor/exercises/{exercise_id}/export")
    document = exported.json()
    assert document["settings"]["chs"] == {"points": 4.0, "tolerance": 1.0, "partial": False}
    assert document["format"] == "iovlab-exercise/1" and document["templates"] == [
        "chs",
        "frame",
        "status",
    ]
    response = client.post(
        "/instructor/exercises/import",
        files={"upload": ("e.json", exported.content, "application/json")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with Session(client.app.state.iovlab.engine) as db:
        imported = get_exercise(db, response.headers["location"].rsplit("/", 1)[1])
    assert json.loads(imported.settings) == document["settings"]
    bad = client.post(
        "/instructor/exercises/import", files={"upload": ("e.json", b"{}", "application/json")}
    )
    assert bad.status_code == 422 and "not an exported exercise" in bad.text


def test_watching_a_question_opens_its_trace_at_the_answering_hop(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    url, _ = submit(client, exercise_id, "ada", right=False)
    response = client.post(f"{url}/watch/0", follow_redirects=False)
    session_id = response.headers["location"].rsplit("/", 1)[1]
    info = client.get(f"/api/sessions/{session_id}").json()
    trace = client.get(f"/api/sessions/{session_id}/trace").json()
    assert len(info["commands"]) == 1
    assert trace["hops"][info["cursor"]]["stage"] == "physical_mapping"


def test_practice_grades_at_once_and_counts_a_streak(client):
    page = client.get("/practice/partitioned").text
    template = re.search(r'name="template" value="([^"]+)"', page).group(1)
    seed = re.search(r'name="seed" value="([^"]+)"', page).group(1)
    from app.exercises.variants import questions

    scenario = client.app.state.iovlab.shipped["partitioned"].scenario
    (question,) = questions(scenario, [template], f"practice/{seed}")
    right = client.post(
        "/practice/partitioned", data={"template": template, "seed": seed, **question.answer}
    )
    assert "Right" in right.text and "<strong>1</strong> right in a row" in right.text
    wrong_answers = {f.name: wrong_answer(f, question.answer[f.name]) for f in question.fields}
    wrong = client.post(
        "/practice/partitioned", data={"template": template, "seed": seed, **wrong_answers}
    )
    assert "Not quite" in wrong.text and "<strong>0</strong> right in a row" in wrong.text
    assert client.get("/practice/nope").status_code == 404
    assert (
        client.post("/practice/partitioned", data={"template": "chs", "seed": "x"}).status_code
        == 422
    )


def test_no_page_a_student_sees_names_their_variant(client, instructor):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    page = client.get(f"/x/{exercise_id}", params={"alias": "ada"}).text
    assert re.search(r"variant\s*\d", page, re.IGNORECASE) is None
    url, _ = submit(client, exercise_id, "bea")
    assert re.search(r"variant\s*\d", client.get(url).text, re.IGNORECASE) is None


@pytest.mark.parametrize(
    "hostile",
    [
        b'"variants": Infinity',
        b'"variants": NaN',
        b'"variants": ' + b"9" * 5000,
        b'"title": "a\\u0000b"',
        b'"extra": ' + b"[" * 2000 + b"]" * 2000,
    ],
)
def test_an_import_with_hostile_numbers_or_text_is_refused_with_the_form(
    client, instructor, hostile
):
    sign_in(client, instructor)
    exercise_id = create_exercise(client)
    exported = client.get(f"/instructor/exercises/{exercise_id}/export").content
    tampered = exported.rstrip()[:-1] + b", " + hostile + b"}"
    response = client.post(
        "/instructor/exercises/import", files={"upload": ("e.json", tampered, "application/json")}
    )
    assert response.status_code == 422 and "not an exported exercise" in response.text
