"""The new-exercise form: its defaults publish, a mistake keeps what was typed, the preview
shows the variant students will get."""

from pathlib import Path

from app.exercises.authoring import check, default_draft, preview, read_draft
from app.exercises.settings import QuestionSettings
from app.exercises.variants import variant_questions
from app.sim import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {p.stem: p.read_text() for p in (ROOT / "scenarios").glob("*.yaml")}
SHIPPED = {name: load_scenario(source) for name, source in SOURCES.items()}
LIMIT = 256_000


def form_of(draft):
    """The form a browser sends back for a draft shown in it."""
    fields = {
        "draft_id": draft.id,
        "title": draft.title,
        "scenario": draft.scenario,
        "scenario_yaml": draft.scenario_yaml,
        "variants": draft.variants,
        "due_at": draft.due_at,
    }
    return fields, list(draft.templates)


def test_the_defaults_publish_as_they_are():
    draft = default_draft(SHIPPED, "draft-0001")
    assert draft.scenario == "all-devices" and len(draft.templates) == 3
    ready, problems = check(read_draft(*form_of(draft), "other-id"), SOURCES, LIMIT)
    assert problems == []
    assert ready.id == "draft-0001" and ready.variants == 4
    assert ready.title == SHIPPED["all-devices"].name
    assert ready.settings == {t: QuestionSettings() for t in draft.templates}


def test_a_mistake_names_each_problem_and_keeps_everything_typed():
    fields = {
        "draft_id": "draft-0002",
        "title": "Week 3: disks",
        "scenario": "dedicated",
        "variants": "0",
        "due_at": "tomorrow",
        "retries": "on",
        "points.chs": "3",
        "tolerance.chs": "0.5",
        "partial.chs": "off",
    }
    draft = read_draft(fields, ["chs", "status"], "unused")
    ready, problems = check(draft, SOURCES, LIMIT)
    assert ready is None
    assert [p.split(":")[0] for p in problems] == ["questions", "variants", "due"]
    assert "does not fit this scenario" in problems[0] and "(it fits: does a request" in problems[0]
    assert (draft.id, draft.title, draft.scenario, draft.variants) == (
        "draft-0002",
        "Week 3: disks",
        "dedicated",
        "0",
    )
    assert draft.templates == ["chs", "status"] and draft.retries and draft.due_at == "tomorrow"
    assert draft.setting("chs", "points") == "3" and draft.setting("chs", "partial") == "off"


def test_per_question_settings_reach_the_exercise():
    fields = {"scenario": "partitioned", "variants": "2", "points.chs": "4", "partial.chs": "off"}
    ready, problems = check(read_draft(fields, ["chs", "traps"], "draft-0003"), SOURCES, LIMIT)
    assert problems == []
    assert ready.settings["chs"] == QuestionSettings(points=4, partial=False)
    assert ready.settings["traps"] == QuestionSettings()


def test_the_preview_is_the_first_variant_students_get():
    ready, _ = check(
        read_draft(*form_of(default_draft(SHIPPED, "draft-0004")), "x"), SOURCES, LIMIT
    )
    shown = preview(ready)
    made = variant_questions(ready.scenario, ready.templates, "draft-0004", 0)
    assert [prompt for prompt, _, _ in shown] == [q.prompt for q in made]
    first = made[0]
    assert shown[0][1] == "; ".join(f"{f.label} = {first.answer[f.name]}" for f in first.fields)


def test_a_pasted_scenario_is_checked_and_a_missing_id_replaced():
    draft = read_draft({"scenario_yaml": "name: [", "variants": "4"}, ["chs"], "fresh-id-1")
    assert draft.id == "fresh-id-1"
    _, problems = check(draft, SOURCES, LIMIT)
    assert problems and all(p.startswith("scenario: ") for p in problems)
