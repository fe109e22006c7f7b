"""A stream's pace: hops on a schedule, so a busy worker's late wake-ups do not slow a
student's stream, and a stall is never made up in a burst."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web.player.stream import Pace

INTERVAL = 0.2
lateness = st.lists(st.floats(min_value=0, max_value=2.0), min_size=1, max_size=200)


def _sends(delays: list[float]) -> list[float]:
    """When each hop goes out, a hop being ``delay`` later than the stream asked to wake."""
    now = 0.0
    pace = Pace(INTERVAL, now)
    sent = []
    for delay in delays:
        now += delay
        sent.append(now)
        now += pace.sent(now)
    return sent


def test_hops_sent_on_time_are_an_interval_apart():
    sent = _sends([0.0] * 10)
    assert [round(b - a, 9) for a, b in pairwise(sent)] == [INTERVAL] * 9


@given(st.lists(st.floats(min_value=0, max_value=INTERVAL * 0.99), min_size=1, max_size=200))
def test_late_wake_ups_shorter_than_an_interval_do_not_slow_the_stream(delays):
    # the old pace waited a whole interval after each late hop: n hops took n × (interval +
    # delay); on a schedule, hop n goes out at n × interval, plus its own delay only
    sent = _sends(delays)
    for n, (at, delay) in enumerate(zip(sent, delays, strict=True)):
        assert at <= n * INTERVAL + delay + 1e-9


@given(lateness)
def test_a_stall_is_made_up_by_one_hop_at_most_never_a_burst(delays):
    sent = _sends(delays)
    for a, c in zip(sent, sent[2:], strict=False):
        assert c - a >= INTERVAL - 1e-9


@given(lateness)
def test_no_wait_is_negative_or_longer_than_an_interval(delays):
    now, pace = 0.0, Pace(INTERVAL, 0.0)
    for delay in delays:
        now += delay
        wait = pace.sent(now)
        assert 0 <= wait <= INTERVAL + 1e-9
        now += wait


def test_hops_made_after_a_wait_are_paced_from_when_the_first_was_found():
    # the trace ended; a command added hops, found at 5.0 and the first sent at 5.01: the
    # second follows an interval after 5.0, not at once as if the wait had been a stall
    waited, stalled = Pace(INTERVAL, 0.0), Pace(INTERVAL, 0.0)
    waited.sent(0.0)
    stalled.sent(0.0)
    waited.restart(5.0)
    assert waited.sent(5.01) == pytest.approx(INTERVAL - 0.01)
    assert stalled.sent(5.01) == 0
