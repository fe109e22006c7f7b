"""A hop's frame is byte for byte what the SSE library frames, for any text at all."""

from hypothesis import given
from hypothesis import strategies as st
from sse_starlette import ServerSentEvent

from app.web.player.frames import hop_frame

LINE_BREAKY = st.lists(st.sampled_from(["\r", "\n", "\r\n", "a", "é", " ", "<", ":"])).map("".join)


@given(data=st.one_of(st.text(), LINE_BREAKY), k=st.integers(0, 10**9), retry=st.integers(0, 10**5))
def test_a_hop_is_framed_as_the_sse_library_frames_it(data, k, retry):
    expected = ServerSentEvent(data=data, event="hop", id=str(k), retry=retry).encode()
    assert hop_frame(data, k, retry) == expected


def test_a_hop_of_several_lines_is_one_event_of_several_data_lines():
    framed = hop_frame("<a>\n<b>\r\n<c>", 7, 1000)
    lines = b"data: <a>\r\ndata: <b>\r\ndata: <c>\r\n"
    assert framed == b"id: 7\r\nevent: hop\r\n" + lines + b"retry: 1000\r\n\r\n"
