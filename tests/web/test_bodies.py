"""A body sent in chunks, with no length declared, is counted as it arrives on a real uvicorn
process: refused with 413 once past the limit, never read whole into memory."""

import select
import socket

from ..server_process import ServerProcess

CHUNK = 1 << 20  # 1 MiB a chunk
OFFERED_MB = 300  # far past the limit (4 × 256,000 bytes by default)


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def _send_chunked(port, path, megabytes):
    """Send up to ``megabytes`` chunks, stopping as soon as the server answers; the answer."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    frame = f"{CHUNK:x}\r\n".encode() + b" " * CHUNK + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for _ in range(megabytes):
                if select.select([sock], [], [], 0)[0]:
                    break  # answered already: send no more
                sock.sendall(frame)
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed its side after answering
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65_536)
            if not data:
                break
            answer += data
        return answer


def test_a_chunked_body_past_the_limit_is_a_413_without_the_body_held(database_url):
    with ServerProcess(database_url) as server:
        assert server.process is not None
        before = _rss_kib(server.process.pid)
        answer = _send_chunked(server.port, "/api/sessions", OFFERED_MB)
        grown_mib = (_rss_kib(server.process.pid) - before) / 1024
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"content-security-policy" in answer.lower()
    assert grown_mib < 50, f"the server grew by {grown_mib:.0f} MiB"
