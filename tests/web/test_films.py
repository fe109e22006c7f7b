"""The films a worker keeps: each session's drawn machine and pieces, built once a content."""

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.diagram.profiles import LAPTOP
from app.sessions.live import Live, content_digest
from app.sim.loading import load_scenario
from app.sim.simulate import simulate
from app.web import drawn
from app.web.drawn import Films

from .conftest import new_session

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def shared() -> Live:
    source = (SCENARIOS / "shared.yaml").read_text()
    scenario = load_scenario(source)
    trace = simulate(scenario, ())
    return Live("s", "shared", "shared", -1, scenario, (), trace, content_digest(source))


def counted_builds(monkeypatch, taking: float = 0.0) -> list[str]:
    built: list[str] = []
    real = drawn.build_film

    def build(live, profile):
        built.append(live.digest)
        time.sleep(taking)  # a long trace's film: the others ask while it is being built
        return real(live, profile)

    monkeypatch.setattr(drawn, "build_film", build)
    return built


def test_a_class_of_its_own_sessions_keeps_every_film_a_worker_serves(shared, monkeypatch):
    # 250 students, each session of its own content (their own requests): page, stream and
    # scrubs each ask for the film; it is built once a student (a cache of 64 films built
    # each one three times over, most of a busy worker's time)
    built = counted_builds(monkeypatch)
    films = Films()
    students = [replace(shared, id=f"s{n}", digest=f"student {n}") for n in range(250)]
    for _ in range(3):
        for live in students:
            assert films.of(live, LAPTOP).moves
    assert len(built) == 250


def test_the_films_kept_are_bounded_by_their_hops(shared, monkeypatch):
    built = counted_builds(monkeypatch)
    hops = len(shared.trace.hops)
    films = Films(max_hops=10 * hops)
    for n in range(11):  # one more than fit: the least recently used goes
        films.of(replace(shared, digest=f"content {n}"), LAPTOP)
    films.of(replace(shared, digest="content 10"), LAPTOP)
    films.of(replace(shared, digest="content 0"), LAPTOP)
    assert built.count("content 10") == 1 and built.count("content 0") == 2


def test_a_film_asked_for_by_many_at_once_is_built_once(shared, monkeypatch):
    # a class's streams start together on the same content: one builds, the others wait
    built = counted_builds(monkeypatch, taking=0.2)
    films = Films()
    start = threading.Barrier(8)
    got = []

    def ask():
        start.wait()
        got.append(films.of(shared, LAPTOP))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and all(film is got[0] for film in got)


@pytest.mark.parametrize("scenario", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_a_machine_drawn_from_the_pieces_a_stream_drew_is_the_machine_drawn_anew(
    client, monkeypatch, scenario
):
    # a scrub after playing, or a page, draws from the pieces the stream drew already: the
    # very bytes a worker that never played the session draws
    iovlab = client.app.state.iovlab
    live = iovlab.sessions.load(new_session(client, scenario))
    n = len(live.trace.hops)
    ks = sorted({-1, 0, 1, n // 3, n // 2, n - 2, n - 1})
    monkeypatch.setattr(drawn.Drawn, "piece", lambda _, macro, p, g: macro(p, g))
    monkeypatch.setattr(drawn.Drawn, "row", lambda _, macro, r, g, oob=False: macro(r, g, oob=oob))
    anew = {k: drawn.render_hop(iovlab, live, k, full=True) for k in ks}
    events_anew = [drawn.render_hop(iovlab, live, k, keep=False) for k in range(n)]
    monkeypatch.undo()
    iovlab.films.events = drawn.HopEvents(1)  # keeps no event: every hop drawn again
    played = [drawn.render_hop(iovlab, live, k) for k in range(n)]  # as a stream draws them
    assert played == events_anew
    for _ in range(2):  # the second scrub draws all from kept pieces
        assert {k: drawn.render_hop(iovlab, live, k, full=True) for k in ks} == anew
