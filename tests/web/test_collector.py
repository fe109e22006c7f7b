"""A serving worker's collector: the oldest generation walked on a schedule, not whenever
Python would (under a class that was a pause of up to a second every few seconds), and the
young ones by the clock as well as when full."""

import gc
import time
import weakref

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def _old_garbage_cycle() -> weakref.ref[Node]:
    """A cycle that lived long enough to reach the oldest generation, then was dropped."""
    node = Node()
    gc.collect(1)
    gc.collect(1)  # survived two collections: now in the oldest generation
    return weakref.ref(node)


def test_the_oldest_garbage_is_walked_on_the_schedule_and_python_s_own_restored(database_url):
    before = gc.get_threshold()
    settings = Settings(database_url=database_url, full_collect_s=0.3)
    with TestClient(create_app(settings)):
        assert gc.get_threshold()[2] > 10**6  # Python never walks the oldest generation itself
        dropped = _old_garbage_cycle()
        gc.collect(1)  # young collections do not reach it
        assert dropped() is not None
        deadline = time.monotonic() + 10
        while dropped() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert dropped() is None  # the scheduled walk freed it
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _middle_garbage_cycle() -> weakref.ref[Node]:
    """A cycle that survived one young collection, then was dropped."""
    node = Node()
    gc.collect(0)
    return weakref.ref(node)


def _freed_within(seconds: float, *refs: weakref.ref[Node]) -> bool:
    deadline = time.monotonic() + seconds
    while any(ref() is not None for ref in refs) and time.monotonic() < deadline:
        time.sleep(0.02)
    return all(ref() is None for ref in refs)


def test_young_garbage_goes_by_the_clock_though_python_does_not_count_its_generation_full(
    database_url,
):
    # a class's old traces die as fast as its new ones are made: Python's count (objects made
    # less objects freed) stays low while the young generations fill, and it never walks them
    settings = Settings(database_url=database_url, full_collect_s=300)
    with TestClient(create_app(settings)):
        dropped_middle = _middle_garbage_cycle()
        young = Node()
        dropped_young = weakref.ref(young)
        del young
        assert gc.get_count()[0] < gc.get_threshold()[0]  # not full by Python's count
        assert dropped_young() is not None and dropped_middle() is not None
        assert _freed_within(3.0, dropped_young, dropped_middle)


def test_zero_leaves_the_collector_as_python_runs_it(database_url):
    before = gc.get_threshold()
    settings = Settings(database_url=database_url, full_collect_s=0)
    with TestClient(create_app(settings)):
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
