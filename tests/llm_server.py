"""A real OpenAI-compatible chat-completions endpoint on 127.0.0.1 for tests (HTTP is never mocked here).

It answers ``POST /v1/chat/completions`` with whatever the test set last and records every request.
tests/httpserver.py serves GET and HEAD for the fetchers; this one only speaks the POST protocol an
LLM client needs. Typical use::

    with ChatServer() as server:
        server.answer('{"why_this_matters": [...], "takeaways": [...]}')
        ... LLMConfig(base_url=server.base_url, model="m") ...
        assert server.requests[0].json["temperature"] == 0

Replies can be delayed, trickled a few bytes at a time, sent without Content-Length, or be any status
and body. A waiting or trickling handler stops as soon as the client hangs up (and records that), or
when the server stops; no wait lasts longer than ``MAX_SLEEP`` seconds.
"""

from __future__ import annotations

import json
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.httpserver import RecordedHeaders

__all__ = ["MAX_SLEEP", "ChatServer", "Reply", "completion"]

PATH = "/v1/chat/completions"
MAX_SLEEP = 10.0


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    """A chat-completions response body whose assistant message says ``content``."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
    }


@dataclass(frozen=True)
class Reply:
    body: bytes
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # if set, the response goes out 8 bytes at a time, this many seconds apart
    trickle_headers: bool = True  # False: the status line and headers go at once, only the body trickles
    declare_length: bool = True  # False: no Content-Length; the body ends when the connection closes


@dataclass
class Request:
    path: str
    headers: RecordedHeaders
    body: bytes
    client_port: int  # the same port twice in a row: the client kept the connection alive
    client_left: bool = False  # the client hung up before the whole reply was sent
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class ChatServer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reply = Reply(b'{"error": {"message": "no reply configured"}}', status=500)
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-llm-server", daemon=True
        )

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def answer(self, content: str, **options: Any) -> None:
        """Reply with a completion whose message content is ``content``; options as for :meth:`reply`."""
        self.reply(completion(content), **options)

    def reply(
        self, body: bytes | str | dict, status: int = 200, headers: dict[str, str] | None = None, **options: Any
    ) -> None:
        """Reply to every following request with this (a dict body is sent as JSON)."""
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        with self._lock:
            self._reply = Reply(body, status, tuple((headers or {}).items()), **options)

    def reset(self) -> None:
        with self._lock:
            self._reply = Reply(b'{"error": {"message": "no reply configured"}}', status=500)
            self.requests.clear()

    def wait_finished(self, timeout: float = MAX_SLEEP * 2) -> None:
        """Wait until the handlers of all recorded requests have returned."""
        for request in list(self.requests):
            request.finished.wait(timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ChatServer

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's reverse DNS lookup (socket.getfqdn), slow on some offline hosts.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out and hang up are what some tests are about


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = MAX_SLEEP
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 10_000_000))
        request = Request(self.path, RecordedHeaders(self.headers.items()), body, self.client_address[1])
        with owner._lock:
            owner.requests.append(request)
            reply = owner._reply
        try:
            if self.path != PATH:
                reply = Reply(b'{"error": {"message": "not found"}}', status=404)
            request.client_left = not self._send(reply)
        finally:
            request.finished.set()

    def _send(self, reply: Reply) -> bool:
        """Send ``reply``; False if the client hung up first."""
        if reply.delay and not self._wait(reply.delay):
            return False
        head = [f"HTTP/1.1 {reply.status} Test\r\n", "Content-Type: application/json\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in reply.headers]
        if reply.declare_length:
            head.append(f"Content-Length: {len(reply.body)}\r\n")
        else:
            head.append("Connection: close\r\n")
            self.close_connection = True
        head_bytes = "".join(head).encode() + b"\r\n"
        if not reply.trickle:
            pieces = [head_bytes + reply.body]
        elif reply.trickle_headers:
            pieces = _split(head_bytes + reply.body)
        else:
            pieces = [head_bytes, *_split(reply.body)]
        deadline = time.monotonic() + MAX_SLEEP
        for number, piece in enumerate(pieces):
            if number and (time.monotonic() > deadline or not self._wait(reply.trickle)):
                return False
            try:
                self.wfile.write(piece)
                self.wfile.flush()
            except OSError:
                self.close_connection = True
                return False
        return True

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (capped); False as soon as the client hangs up or the server stops."""
        end = time.monotonic() + min(seconds, MAX_SLEEP)
        while (left := end - time.monotonic()) > 0:
            if self.server.owner.stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.02))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        self.close_connection = True
                        return False  # end of stream: the client closed or shut down its side
                except OSError:
                    self.close_connection = True
                    return False
                time.sleep(min(left, 0.02))
        return True


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + 8] for i in range(0, len(data), 8)]
