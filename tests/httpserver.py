"""A real HTTP server on 127.0.0.1 for tests (mocking HTTP is not allowed in this project).

Started once per test session by the ``http_server`` fixture (tests/conftest.py); routes and recorded
requests are forgotten before every test that uses it. Typical use::

    def test_feed_is_fetched(http_server):
        http_server.serve_file("/feed.rss", "technews/cloudflare-blog-2021-10-15.rss")
        result = fetch(http_server.url("/feed.rss"), allow_private=True)
        ...
        assert http_server.requests("/feed.rss")[0][1]["If-None-Match"] == '"abc"'

Routes answer GET, HEAD and POST (a POST's body is kept: :meth:`LocalHTTPServer.posts`). A path without a
configured route answers 404. Built-in misbehaving routes
under ``/misbehave/`` are always available (see :class:`LocalHTTPServer`). Sleeps are capped at
``MAX_SLEEP`` seconds and stop as soon as the client disconnects or the server stops, so no test leaves
threads sleeping for long.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import io
import mimetypes
import select
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

__all__ = ["FIXTURES_DIR", "MAX_SLEEP", "LocalHTTPServer", "RecordedHeaders", "gzip_bytes", "redirect_to"]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
MAX_SLEEP = 10.0  # no handler sleeps or trickles longer than this
MiB = 1024 * 1024
_MAX_MIB = 4096

_CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | None


class RecordedHeaders(dict[str, str]):
    """Request headers as received: a dict with lower-case keys that also answers any capitalisation."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        for name, value in items:
            key = name.lower()
            super().__setitem__(key, f"{self[key]}, {value}" if key in self else value)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name.lower() if isinstance(name, str) else name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class _Response:
    body: bytes
    status: int = 200
    content_type: str | None = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0


def _make_response(
    body: bytes | str = b"",
    status: int = 200,
    content_type: str | None = "text/plain",
    headers: HeadersArg = None,
    etag: str | None = None,
    last_modified: str | None = None,
    delay: float = 0.0,
) -> _Response:
    if isinstance(body, str):
        body = body.encode("utf-8")
        if content_type and content_type.startswith("text/") and "charset" not in content_type:
            content_type = f"{content_type}; charset=utf-8"
    header_items = tuple((headers.items() if isinstance(headers, Mapping) else headers) or ())
    return _Response(body, int(status), content_type, header_items, etag or None, last_modified or None, delay)


class LocalHTTPServer:
    """HTTP/1.1 server in a background thread (one daemon thread per connection).

    Configure routes with :meth:`serve`, :meth:`serve_file` and :meth:`serve_sequence`; inspect what
    clients sent with :meth:`requests`. A route's path may include a query string (matched exactly
    first); otherwise it matches any query.

    Built-in routes (query parameters optional, defaults in brackets):

    * ``/misbehave/slow-headers?seconds=N`` [5]: accept, wait N s, then answer 200 "slow".
    * ``/misbehave/trickle?seconds=N&interval=S&close=1`` [10, 1, 0]: headers (Content-Length N; with close=1
      none, and ``Connection: close``), then one byte every S s.
    * ``/misbehave/trickle-headers?seconds=N`` [10]: status line, then one header byte per second.
    * ``/misbehave/huge?mib=N`` [64]: N MiB body without Content-Length (ends by closing the connection).
    * ``/misbehave/huge-declared?mib=N`` [64]: declares Content-Length N MiB and streams it.
    * ``/misbehave/gzip-bomb?mib=N`` [1024]: small gzip body (Content-Encoding: gzip) of N MiB of zeros.
    * ``/misbehave/endless-chunked?interval=S`` [0]: Transfer-Encoding: chunked, a 64 KiB chunk every S s, never
      the last chunk (until the client hangs up, the server stops, or 4 GiB were sent).
    * ``/misbehave/redirect-loop``: 302 → ``/misbehave/redirect-loop?again=1`` → 302 back.
    * ``/misbehave/redirect-chain?hops=N&code=C`` [3, 302]: N redirects, then 200 "end of redirect chain".
    * ``/misbehave/redirect-to?location=URL&code=C`` [302]: one redirect to URL (may be relative).
    * ``/misbehave/status?code=N&retry_after=S``: status N, with a Retry-After header if given.
    * ``/misbehave/empty``: 200 with an empty body.
    * ``/misbehave/reset``: reads the request, then resets the connection without answering.
    """

    def __init__(self, host: str = "127.0.0.1", fixtures_dir: Path | str = FIXTURES_DIR) -> None:
        self.host = host
        self.fixtures_dir = Path(fixtures_dir)
        self._lock = threading.Lock()
        self._routes: dict[str, list[_Response]] = {}
        self._hits: dict[str, int] = {}
        self._requests: list[tuple[str, str, str, RecordedHeaders]] = []  # (target, path, method, headers)
        self._bodies: list[tuple[str, RecordedHeaders, bytes]] = []  # (path, headers, body) of each POST
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()

    # lifecycle ------------------------------------------------------------------------------------

    def start(self) -> LocalHTTPServer:
        server_class = _Server6 if ":" in self.host else _Server
        self._server = server_class((self.host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else f"/{path}")

    # routes -----------------------------------------------------------------------------------------

    def serve(
        self,
        path: str,
        body: bytes | str,
        status: int = 200,
        content_type: str = "text/plain",
        headers: HeadersArg = None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Answer every request for ``path`` with this response (304 if ``etag``/``last_modified`` match)."""
        self._set_route(path, [_make_response(body, status, content_type, headers, etag, last_modified)])

    def serve_file(
        self,
        path: str,
        fixture_relpath: str,
        content_type: str | None = None,
        headers: HeadersArg = None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> bytes:
        """Serve tests/fixtures/``fixture_relpath`` at ``path``; returns the bytes served.

        Content type from the extension unless given (.rss, .atom, .json, .xml, .html). ETag: ``etag``,
        or by default one derived from the content (pass ``etag=""`` for none). Answers 304 to a matching
        If-None-Match, or (without If-None-Match) to an If-Modified-Since not older than ``last_modified``.
        """
        body = (self.fixtures_dir / fixture_relpath).read_bytes()
        if content_type is None:
            suffix = Path(fixture_relpath).suffix.lower()
            content_type = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(fixture_relpath)[0]
            content_type = content_type or "application/octet-stream"
        if etag is None:
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        self._set_route(path, [_make_response(body, 200, content_type, headers, etag, last_modified)])
        return body

    def serve_sequence(self, path: str, responses: Iterable[Mapping[str, Any]]) -> None:
        """Successive requests for ``path`` get successive responses; the last one repeats.

        Each response is a dict with keys among body, status, content_type, headers, etag,
        last_modified and delay (seconds to wait before answering).
        """
        built = [_make_response(**dict(response)) for response in responses]
        if not built:
            raise ValueError("serve_sequence needs at least one response")
        self._set_route(path, built)

    def requests(self, path: str) -> list[tuple[str, RecordedHeaders]]:
        """(method, headers) of each request received for ``path`` (any query, unless ``path`` has one)."""
        with self._lock:
            if "?" in path:
                return [(method, headers) for target, _, method, headers in self._requests if target == path]
            return [(method, headers) for _, req_path, method, headers in self._requests if req_path == path]

    def posts(self, path: str) -> list[tuple[RecordedHeaders, bytes]]:
        """(headers, body) of each POST received for ``path`` (any query), in order."""
        with self._lock:
            return [(headers, body) for req_path, headers, body in self._bodies if req_path == path]

    def reset(self) -> None:
        """Forget all configured routes and recorded requests (built-in routes stay)."""
        with self._lock:
            self._routes.clear()
            self._hits.clear()
            self._requests.clear()
            self._bodies.clear()

    # internals --------------------------------------------------------------------------------------

    def _set_route(self, path: str, responses: list[_Response]) -> None:
        if not path.startswith("/"):
            raise ValueError(f"route paths start with '/': {path!r}")
        with self._lock:
            self._routes[path] = responses
            self._hits[path] = 0

    def _record(self, method: str, target: str, headers: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            self._requests.append((target, urlsplit(target).path, method, RecordedHeaders(headers)))

    def _next_response(self, target: str) -> _Response | None:
        with self._lock:
            key = target if target in self._routes else urlsplit(target).path
            responses = self._routes.get(key)
            if responses is None:
                return None
            index = self._hits[key]
            self._hits[key] = index + 1
            return responses[min(index, len(responses) - 1)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64
    owner: LocalHTTPServer

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's reverse DNS lookup (socket.getfqdn), slow on some offline hosts.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up or reset (timeouts, refused bodies, /misbehave/reset) are expected here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


_gzip_bombs: dict[int, bytes] = {}
_gzip_bombs_lock = threading.Lock()


def _gzip_bomb(mib: int) -> bytes:
    with _gzip_bombs_lock:
        if mib not in _gzip_bombs:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
            zeros = bytes(MiB)
            parts = [compressor.compress(zeros) for _ in range(mib)]
            parts.append(compressor.flush())
            _gzip_bombs[mib] = b"".join(parts)
        return _gzip_bombs[mib]


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == wanted for candidate in if_none_match.split(","))


def _not_modified_since(if_modified_since: str, last_modified: str) -> bool:
    try:
        return email.utils.parsedate_to_datetime(if_modified_since) >= email.utils.parsedate_to_datetime(
            last_modified
        )
    except (TypeError, ValueError):
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = MAX_SLEEP  # socket timeout: idle keep-alive connections and blocked writes end after this
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_POST(self) -> None:
        # Routes answer a POST as they answer a GET; the request body is read first and recorded.
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 16 * MiB)) if length else b""
        owner = self.server.owner
        with owner._lock:
            owner._bodies.append((urlsplit(self.path).path, RecordedHeaders(self.headers.items()), body))
        self._handle(send_body=True)

    # dispatch ---------------------------------------------------------------------------------------

    def _handle(self, send_body: bool) -> None:
        owner = self.server.owner
        owner._record(self.command, self.path, self.headers.items())
        parts = urlsplit(self.path)
        if parts.path.startswith("/misbehave/"):
            name = parts.path.removeprefix("/misbehave/").replace("-", "_")
            method = getattr(self, f"_misbehave_{name}", None)
            if method is not None:
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                method(query, send_body)
                return
        response = owner._next_response(self.path)
        if response is None:
            response = _make_response(f"no route for {parts.path}", 404)
        self._send(response, send_body)

    def _send(self, response: _Response, send_body: bool) -> None:
        if response.delay and not self._wait(response.delay):
            self.close_connection = True
            return
        status, body = response.status, response.body
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        if response.etag and if_none_match is not None:  # If-None-Match wins over If-Modified-Since
            not_modified = _etag_matches(if_none_match, response.etag)
        else:
            not_modified = bool(response.last_modified and if_modified_since) and _not_modified_since(
                if_modified_since, response.last_modified
            )
        if not_modified:
            status, body = 304, b""
        self.send_response(status)
        names = {name.lower() for name, _ in response.headers}
        if response.content_type and status != 304 and "content-type" not in names:
            self.send_header("Content-Type", response.content_type)
        if response.etag and "etag" not in names:
            self.send_header("ETag", response.etag)
        if response.last_modified and "last-modified" not in names:
            self.send_header("Last-Modified", response.last_modified)
        for name, value in response.headers:
            self.send_header(name, value)
        no_body = status in (204, 304) or 100 <= status < 200
        if not no_body and "content-length" not in names and "transfer-encoding" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and not no_body:
            self.wfile.write(body)

    # helpers --------------------------------------------------------------------------------------------

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (capped); False as soon as the client hangs up or the server stops."""
        end = time.monotonic() + min(max(seconds, 0.0), MAX_SLEEP)
        while (left := end - time.monotonic()) > 0:
            if self.server.owner.stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return False  # the client closed the connection
                except OSError:
                    return False
                time.sleep(min(left, 0.05))  # data waiting (a pipelined request): keep sleeping
        return True

    def _write_or_stop(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # broken pipe, reset, or our socket timeout: the client is gone
            self.close_connection = True
            return False
        return True

    def _stream(self, total: int) -> None:
        block = b"x" * (64 * 1024)
        sent = 0
        while sent < total:
            piece = block if total - sent >= len(block) else block[: total - sent]
            if self.server.owner.stopping.is_set() or not self._write_or_stop(piece):
                self.close_connection = True
                return
            sent += len(piece)

    def _simple(
        self, status: int, body: bytes, headers: Iterable[tuple[str, str]] = (), send_body: bool = True
    ) -> None:
        self._send(_make_response(body, status, "text/plain", tuple(headers)), send_body)

    # misbehaving routes -------------------------------------------------------------------------------

    def _misbehave_slow_headers(self, query: dict[str, str], send_body: bool) -> None:
        if not self._wait(float(query.get("seconds", 5))):
            self.close_connection = True
            return
        self._simple(200, b"slow", send_body=send_body)

    def _misbehave_trickle(self, query: dict[str, str], send_body: bool) -> None:
        count = int(min(float(query.get("seconds", 10)), MAX_SLEEP * 3))
        interval = float(query.get("interval", 1.0))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if query.get("close") == "1":  # the body ends when the connection does
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(count))
        self.end_headers()
        self.wfile.flush()
        if not send_body:
            return
        deadline = time.monotonic() + MAX_SLEEP * 3
        for _ in range(count):
            if not self._write_or_stop(b"x") or time.monotonic() > deadline or not self._wait(interval):
                self.close_connection = True
                return

    def _misbehave_trickle_headers(self, query: dict[str, str], send_body: bool) -> None:
        count = int(min(float(query.get("seconds", 10)), MAX_SLEEP))
        if not self._write_or_stop(b"HTTP/1.1 200 OK\r\n"):
            return
        for _ in range(count):
            if not self._wait(1.0) or not self._write_or_stop(b"X"):
                self.close_connection = True
                return
        self._write_or_stop(b"-Slow: yes\r\nContent-Length: 0\r\n\r\n")

    def _misbehave_huge(self, query: dict[str, str], send_body: bool) -> None:
        mib = min(int(query.get("mib", 64)), _MAX_MIB)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if send_body:
            self._stream(mib * MiB)

    def _misbehave_huge_declared(self, query: dict[str, str], send_body: bool) -> None:
        mib = min(int(query.get("mib", 64)), _MAX_MIB)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(mib * MiB))
        self.end_headers()
        if send_body:
            self._stream(mib * MiB)

    def _misbehave_gzip_bomb(self, query: dict[str, str], send_body: bool) -> None:
        body = _gzip_bomb(min(int(query.get("mib", 1024)), _MAX_MIB))
        self._send(
            _make_response(body, 200, "application/rss+xml", (("Content-Encoding", "gzip"),)),
            send_body,
        )

    def _misbehave_endless_chunked(self, query: dict[str, str], send_body: bool) -> None:
        interval = float(query.get("interval", 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        if not send_body:
            return
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"<item>" + b"x" * (64 * 1024 - 6))
        for _ in range(_MAX_MIB * 16):
            if self.server.owner.stopping.is_set() or not self._write_or_stop(chunk):
                return
            if interval and not self._wait(interval):
                return

    def _misbehave_redirect_loop(self, query: dict[str, str], send_body: bool) -> None:
        location = "/misbehave/redirect-loop" if query.get("again") else "/misbehave/redirect-loop?again=1"
        self._simple(302, b"", (("Location", location),), send_body)

    def _misbehave_redirect_chain(self, query: dict[str, str], send_body: bool) -> None:
        hops = int(query.get("hops", 3))
        code = int(query.get("code", 302))
        if hops <= 0:
            self._simple(200, b"end of redirect chain", send_body=send_body)
            return
        location = f"/misbehave/redirect-chain?hops={hops - 1}&code={code}"
        self._simple(code, b"", (("Location", location),), send_body)

    def _misbehave_redirect_to(self, query: dict[str, str], send_body: bool) -> None:
        code = int(query.get("code", 302))
        self._simple(code, b"", (("Location", query.get("location", "/")),), send_body)

    def _misbehave_status(self, query: dict[str, str], send_body: bool) -> None:
        code = int(query.get("code", 500))
        headers = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Unknown"
        self._simple(code, f"status {code} {phrase}".encode(), headers, send_body)

    def _misbehave_empty(self, query: dict[str, str], send_body: bool) -> None:
        self._simple(200, b"", send_body=send_body)

    def _misbehave_reset(self, query: dict[str, str], send_body: bool) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()  # drops the makefile reference, so close() below really closes the socket
        self.connection.close()
        self.wfile = io.BytesIO()  # the base handler flushes wfile after us; give it something harmless


def redirect_to(server: LocalHTTPServer, location: str, code: int = 302) -> str:
    """URL on ``server`` that redirects (``code``) to ``location``."""
    return server.url(f"/misbehave/redirect-to?location={quote(location, safe='')}&code={code}")


def gzip_bytes(data: bytes | str) -> bytes:
    """gzip-compress ``data`` (str as UTF-8), for serving with headers={"Content-Encoding": "gzip"}."""
    return gzip.compress(data.encode() if isinstance(data, str) else data, mtime=0)
