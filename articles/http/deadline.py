"""One total deadline per HTTP request, whatever the server trickles (pure; urllib3 only).

urllib3's timeouts bound each wait for data, not the whole exchange: a server that sends one byte
just before every read timeout (of the headers, chunk sizes, compressed padding or the body) would
hold a request for ever. A :class:`Deadline` closes that gap: one daemon thread per process shuts
down the socket of every request past its deadline, which wakes whatever read is blocked on it.

Use it with the connection pools below (or a pool whose connections mix in
:class:`DeadlineConnectionMixin`), making the requests inside ``with Deadline(seconds) as deadline:``
in the same thread. After a read that ended, check ``deadline.expired``: a socket shut down mid-body
can look like a clean end of the body.

The deadline holds the socket, not only the connection: http.client drops the connection's
reference to its socket when a response ends by closing (``Connection: close``), while the body is
still being read. And it cuts a socket only while the connection is still this request's: a
connection given back to its pool and taken by another request is that request's to cut.

Not covered: DNS resolution (the system resolver bounds it) and a TLS handshake that stalls (the
connect timeout bounds it, as the socket is known only after the handshake).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "Deadline",
    "DeadlineConnectionMixin",
    "DeadlineHTTPConnection",
    "DeadlineHTTPConnectionPool",
    "DeadlineHTTPSConnection",
    "DeadlineHTTPSConnectionPool",
]

_OWNER = "_outagehub_deadline"  # the attribute naming the Deadline a connection is working for


class Deadline:
    """``seconds`` from now, for every request this thread makes inside ``with``: all hops, the
    response headers and the whole body."""

    __slots__ = ("_connection", "_previous", "_sock", "at", "done", "expired", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False  # set by the watchdog when the time is up: any socket of the request is shut down
        self.done = False
        self._connection: HTTPConnection | None = None
        self._sock: socket.socket | None = None
        self._previous: Deadline | None = None

    def remaining(self) -> float:
        """Seconds left (zero or less once the time is up)."""
        return self.at - time.monotonic()

    def __enter__(self) -> Deadline:
        self._previous = getattr(_local, "deadline", None)
        _local.deadline = self
        _watchdog.watch(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _local.deadline = self._previous
        _watchdog.release(self)


class _Watchdog:
    """One daemon thread, started on first use, and a heap of the deadlines it watches."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._counter), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outagehub-http-deadline", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._cond.notify()

    def attach(self, connection: HTTPConnection) -> None:
        """``connection`` now works for this thread's deadline (if any); cut its socket at once if the
        time is already up."""
        deadline = getattr(_local, "deadline", None)
        with self._cond:
            setattr(connection, _OWNER, deadline)
            if deadline is None or deadline.done:
                return
            deadline._connection = connection
            deadline._sock = connection.sock  # None until connected: connect() attaches again
            if deadline.expired:
                _shutdown(deadline._sock)

    def release(self, deadline: Deadline) -> None:
        with self._cond:
            deadline.done = True
            deadline._connection = deadline._sock = None

    def _run(self) -> None:
        heap = self._heap
        with self._cond:
            while True:
                if not heap:
                    self._cond.wait()
                    continue
                at, _, deadline = heap[0]
                if deadline.done:
                    heapq.heappop(heap)
                    continue
                delay = at - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(heap)
                deadline.expired = True
                if getattr(deadline._connection, _OWNER, None) is deadline:
                    _shutdown(deadline._sock)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        # The plain socket's shutdown, also for TLS: it wakes a blocked read and skips the TLS goodbye.
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class DeadlineConnectionMixin:
    """Hands the connection and its socket to the thread's :class:`Deadline`: when it connects, and when
    it sends a request (a kept-alive connection is not connected again)."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watchdog.attach(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watchdog.attach(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class DeadlineHTTPConnection(DeadlineConnectionMixin, HTTPConnection):
    pass


class DeadlineHTTPSConnection(DeadlineConnectionMixin, HTTPSConnection):
    pass


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


_local = threading.local()  # .deadline: the Deadline of the requests this thread is making
_watchdog = _Watchdog()


def _after_fork_in_child() -> None:
    # Never share the watchdog's thread or lock with the parent (Celery prefork workers).
    global _watchdog, _local
    _watchdog = _Watchdog()
    _local = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
