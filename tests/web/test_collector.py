"""A serving worker's collector: the oldest generation walked on a schedule, not whenever
Python would (under a class that was a pause of up to a second every few seconds)."""

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


def test_zero_leaves_the_collector_as_python_runs_it(database_url):
    before = gc.get_threshold()
    settings = Settings(database_url=database_url, full_collect_s=0)
    with TestClient(create_app(settings)):
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
