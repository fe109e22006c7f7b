"""Question templates on the course's concepts: classify devices into the categories,
pick the interception levels that can work for a guest, and true/false statements
for the misconceptions.

They ask about ideas, not one scenario's numbers, so they fit any scenario; each
draws its givens per seed, and where the scenario has a device that shows the idea,
its trace is the one the student watches.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from app.sim import LEVELS, Scenario
from app.sim.interception import INTERCEPTION
from app.sim.scenario import CATEGORIES

from . import showcases as show
from .device_kinds import CATEGORY_SHOWN, DEVICES, KINDS, misconception
from .level_needs import GUESTS, needs_of, works
from .question import Field, Question, sentence
from .showcases import Shown
from .statements import IDEAS

DEVICES_ASKED = 4
STATEMENTS_ASKED = 4
TRUTH = ("true", "false")
YES_NO = ("yes", "no")
# A title spells a small count out, as a sentence would ("the five categories").
COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _watched(scenario: Scenario, shown: Shown | None) -> tuple[list[dict[str, Any]], int]:
    if shown is None:
        return [], -1
    _, focus = shown.run(scenario)
    return shown.commands, focus


def classify_device(scenario: Scenario, rng: random.Random) -> Question:
    kinds = rng.sample(DEVICES, k=DEVICES_ASKED)
    setups = [rng.choice(kind.setups) for kind in kinds]
    watched: list[dict[str, Any]] = []
    focus, seen = -1, ""
    for setup in setups:
        make, what = CATEGORY_SHOWN[setup.category]
        shown = make(scenario)
        if shown is not None:
            watched, focus = _watched(scenario, shown)
            seen = f" The trace shows {setup.category} at work on this machine: {what}."
            break
    reasons = " ".join(
        f"{sentence(kind.label)}: {setup.category}, because {setup.reason}."
        for kind, setup in zip(kinds, setups, strict=True)
    )
    return Question(
        template="classify_device",
        stage="device",
        prompt=(
            "How does the VMM offer each device to its guests? Classify each as "
            f"{_either(CATEGORIES)}, or passthrough where it is assigned to one guest with the "
            "VMM out of its requests' path (VFIO, SR-IOV). Assume what its row says."
        ),
        table=[
            {"device": kind.label, "assume": setup.assume}
            for kind, setup in zip(kinds, setups, strict=True)
        ],
        fields=[Field(kind.name, kind.label, "choice", KINDS) for kind in kinds],
        answer={kind.name: setup.category for kind, setup in zip(kinds, setups, strict=True)},
        explanation=reasons + seen,
        commands=watched,
        focus=focus,
        misconceptions={
            kind.name: {
                wrong: misconception(kind.label, setup.category, wrong)
                for wrong in KINDS
                if wrong != setup.category
            }
            for kind, setup in zip(kinds, setups, strict=True)
        },
    )


def _either(names: Sequence[str]) -> str:
    """``a, b or c``: the categories named as the prompt's sentence needs them."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


def _counted(things: Sequence[object]) -> str:
    n = len(things)
    return COUNT_WORDS[n] if n < len(COUNT_WORDS) else str(n)


def pick_levels(scenario: Scenario, rng: random.Random) -> Question:
    guest = rng.choice(GUESTS)
    device = rng.choice(("disk", "network"))
    answer: dict[str, str] = {}
    misconceptions: dict[str, dict[str, str]] = {}
    reasons = []
    for level in LEVELS:
        ok, missing = works(level, guest)
        needs = needs_of(INTERCEPTION[level])
        answer[level] = "yes" if ok else "no"
        if ok:
            misconceptions[level] = {"no": "; ".join(n.doubted for n in needs)}
        else:
            misconceptions[level] = {"yes": "; ".join(n.ignored for n in missing)}
        verdict = "; ".join(n.met if guest.has(n) else n.unmet for n in needs)
        wants = " and ".join(n.says for n in needs)
        reasons.append(f"{sentence(_name(level))}: {answer[level]}. It needs {wants}; {verdict}.")
    shown = show.unknown_os_call(scenario, known=guest.known_os)
    commands, focus = _watched(scenario, shown)
    seen = ""
    if shown is not None:
        who = str(shown.commands[0]["guest"])
        os = next(g.os for g in scenario.guests if g.id == who)
        knows = "understands" if guest.known_os else "does not understand"
        seen = (
            f" On this machine {who} runs {os}, whose system calls this VMM {knows}, as for "
            f"this guest: the trace shows its system call caught."
        )
    return Question(
        template="pick_levels",
        stage="trap",
        prompt=(
            f"A guest runs {guest.describe}. At which interception levels can the VMM catch "
            f"its {device} requests and carry them out? Answer yes or no for each level."
        ),
        table=[
            {"level": _name(level), "a request leaves the guest through": row.driver_name}
            for level, row in INTERCEPTION.items()
        ],
        fields=[Field(level, _name(level), "choice", YES_NO) for level in LEVELS],
        answer=answer,
        explanation=" ".join(reasons) + seen,
        commands=commands,
        focus=focus,
        misconceptions=misconceptions,
    )


def _name(level: str) -> str:
    return level.replace("_", " ").replace("io ", "I/O ")


def true_false(scenario: Scenario, rng: random.Random) -> Question:
    statements = [rng.choice(idea.ways) for idea in rng.sample(IDEAS, k=STATEMENTS_ASKED)]
    names = [f"statement_{i}" for i in range(1, len(statements) + 1)]
    commands: list[dict[str, Any]] = []
    focus, seen = -1, ""
    for number, s in enumerate(statements, start=1):
        shown = s.show(scenario) if s.show else None
        if shown is not None:
            commands, focus = _watched(scenario, shown)
            seen = f" The trace shows statement {number} on this machine."
            break
    why = " ".join(
        f"{number}. {'True' if s.true else 'False'}: {s.why}"
        for number, s in enumerate(statements, start=1)
    )
    (stage, _), *_ = Counter(s.stage for s in statements).most_common(1)
    return Question(
        template="true_false",
        stage=stage,
        prompt="Is each statement true or false?",
        table=[{"#": n, "statement": s.text} for n, s in enumerate(statements, start=1)],
        fields=[Field(name, name.replace("_", " "), "choice", TRUTH) for name in names],
        answer={
            name: TRUTH[0] if s.true else TRUTH[1]
            for name, s in zip(names, statements, strict=True)
        },
        explanation=why + seen,
        commands=commands,
        focus=focus,
        misconceptions={
            name: {TRUTH[1] if s.true else TRUTH[0]: s.wrong}
            for name, s in zip(names, statements, strict=True)
        },
    )


CONCEPTS = {
    "classify_device": (
        f"Classify devices into the {_counted(CATEGORIES)} categories, or passthrough",
        classify_device,
    ),
    "pick_levels": ("The interception levels that can work for a guest OS", pick_levels),
    "true_false": ("True or false: misconceptions of I/O virtualization", true_false),
}
