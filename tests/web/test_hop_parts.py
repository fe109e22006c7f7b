"""A hop's event is built in Python (app/web/hop_parts.py): everything of the trace it
shows is escaped, as the templates escaped it."""

from app.diagram.route import Move
from app.sim import Hop
from app.web import hop_parts

PLANTED = '<img src=x onerror="alert(1)">'


def _hop(**changes):
    hop = Hop(
        seq=4,
        request="r2",
        t_us=12_345,  # 12.3 ms: past 10,000 µs a time is in ms
        stage="status_reply",
        actor="vm1",
        guest="vm1",
        device="disk0",
        category="partitioned",
        level="device_driver",
        summary="vm1's disk driver reads the reply",
        detail={"status": "ok", "block_us": 8_193, "note": "fine"},
    )
    return hop._replace(**changes)


def _event(hop, g):
    move = Move(4, hop.request, "drv-vm1-disk0", "up", 10.5, 20.0, "M0 0L1 1", 0, "ok")
    return hop_parts.hop_event(
        k=4, total=9, hop=hop, move=move, trail="M0 0", span="1 4", g=g, record=None,
        changed={}, rows=[], starts=False, line=hop_parts.log_line(hop, g),
        piece=lambda p, g: "", request_row=lambda r, g: "",
    )  # fmt: skip


def test_every_text_of_a_hop_is_escaped_in_its_event():
    hop = _hop(
        request=PLANTED, summary=PLANTED, device=PLANTED, actor=PLANTED,
        detail={"status": PLANTED, PLANTED: PLANTED},
    )  # fmt: skip
    event = _event(hop, {"vm1": 0})
    assert "<img" not in event
    assert event.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") >= 6


def test_an_event_says_where_the_player_is_and_what_the_hop_did():
    event = _event(_hop(), {"vm1": 0})
    assert "hop <strong>5</strong> of 9 · t = <strong>12.3 ms</strong>" in event
    assert '<b class="ok">status ok</b>' in event  # the status reply's mark
    assert "<dt>block us</dt><dd>8,193 µs</dd>" in event  # a time in µs, as a student reads it
    assert '<li id="log-4" data-k="4" data-guest="vm1"' in event
    assert event.startswith('<template id="hop" data-k="4" data-request="r2"')
