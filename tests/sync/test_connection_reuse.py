"""A kept-alive connection that breaks under a request costs a resend, not a failed sync.

Issue 23 (50 laptops): a laptop busy writing pulled pages left its connection idle as
long as the server's keep-alive, sent its next page request just as the server closed it,
and got a reset (httpx ``ReadError``). The server now keeps idle connections longer than
a laptop reuses them; the laptop also sends once more a request the server recognises
when it comes twice (GET, PUT, a push, an access-log upload), never another one.

The peer here is a plain socket on loopback that answers its first request and resets
the connection under the second, as a closing server does.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from app.sync.client import KEEPALIVE_SECONDS, SyncClient
from app.sync.errors import ServerUnavailable
from server.commands import KEEP_ALIVE_SECONDS

BODY = b'{"ok": true}'
REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


class Ok(BaseModel):
    ok: bool


class ResettingPeer:
    """Answers the first request of each connection; resets it under the second."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection: socket.socket) -> None:
        with connection:
            for answered in (True, False):
                if not _read_request(connection):
                    return
                self.requests += 1
                if answered:
                    connection.sendall(REPLY)
                else:  # closed with unread data: the kernel sends a reset
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    return

    def close(self) -> None:
        self.listener.close()


def _read_request(connection: socket.socket) -> bool:
    """Read one request (headers and a Content-Length body); False at end of stream."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += connection.recv(65536)
    return True


@pytest.fixture
def peer() -> Iterator[ResettingPeer]:
    made = ResettingPeer()
    yield made
    made.close()


def test_a_get_on_a_connection_reset_under_it_is_sent_again(peer: ResettingPeer) -> None:
    with SyncClient(f"http://127.0.0.1:{peer.port}", token="t") as client:
        assert client.call("GET", "/api/v1/policy", Ok).ok
        assert client.call("GET", "/api/v1/policy", Ok).ok  # reset, then a new connection
    assert peer.requests == 3


def test_a_push_and_an_access_log_upload_are_sent_again(peer: ResettingPeer) -> None:
    with SyncClient(f"http://127.0.0.1:{peer.port}", token="t") as client:
        client.call("GET", "/api/v1/policy", Ok)
        assert client.call("POST", "/api/v1/access-log", Ok, json={}, retry=True).ok
    assert peer.requests == 3


def test_a_request_not_safe_to_repeat_is_sent_once(peer: ResettingPeer) -> None:
    with SyncClient(f"http://127.0.0.1:{peer.port}", token="t") as client:
        client.call("GET", "/api/v1/policy", Ok)
        with pytest.raises(ServerUnavailable):
            client.call("POST", "/api/v1/token/rotate", Ok)
    assert peer.requests == 2


def test_the_server_keeps_idle_connections_well_past_the_laptops_reuse() -> None:
    assert KEEP_ALIVE_SECONDS >= 2 * KEEPALIVE_SECONDS
