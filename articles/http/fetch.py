"""Fetch one URL safely: the HTTP layer under feed and status-page polling.

Pure Python (no Django); urllib3 is the only dependency. :func:`fetch` returns a :class:`FetchResult` or
raises :class:`FetchError` whose ``message`` says what went wrong and what to do, and whose ``transient``
flag says whether retrying soon is worthwhile.

Safety properties:

* Every hop (the start URL and each redirect target) goes through :func:`check_hop`: http/https only,
  and the host's addresses are checked by :mod:`articles.http.netguard` (no loopback, private, link-local,
  metadata-service ... addresses unless ``allow_private``).
* We connect to the address that was checked, never to a fresh DNS answer (DNS rebinding), with SNI,
  certificate verification and the Host header using the original host name.
* Redirects are followed here, not by urllib3: at most ``max_redirects``, loops reported.
* One deadline (``total_timeout``) covers all hops, the response headers and the whole body. Socket
  timeouts end normal stalls; a watchdog thread shuts down the socket of any fetch that outlives its
  deadline, so a server trickling headers, chunk sizes or compressed padding cannot stretch it either.
  (DNS resolution is bounded by the system resolver, not by this deadline.)
* The body is streamed and counted after decompression (and on the wire), aborting past ``max_bytes``;
  a declared Content-Length over the limit fails before reading. A gzip bomb costs at most one chunk of
  memory beyond the limit.

Connection pools are cached per (scheme, checked IP, port, TLS host name) and reused across calls.
"""

from __future__ import annotations

import contextlib
import email.utils
import heapq
import itertools
import math
import os
import socket
import ssl
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urldefrag, urljoin

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import Retry, Timeout
from urllib3.util.request import ACCEPT_ENCODING

from ..redaction import redact_url
from ..scheduling import MAX_DELAY_SECONDS
from . import netguard

__all__ = [
    "DEFAULT_ACCEPT",
    "FetchError",
    "FetchResult",
    "Hop",
    "check_hop",
    "fetch",
    "parse_max_age",
    "parse_retry_after",
    "resolve_redirect",
]

MiB = 1024 * 1024
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
MAX_CONNECT_TIMEOUT = 10.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
_CHUNK = 64 * 1024
_NO_RETRIES = Retry(total=False, redirect=False, raise_on_redirect=False, raise_on_status=False)


# --------------------------------------------------------------------------------------------------
# Results and errors


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    body: bytes  # decompressed; b"" on 304
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    etag: str  # the response's ETag; on 304 without one, the ETag we sent
    last_modified: str  # likewise for Last-Modified
    not_modified: bool  # True on 304 (a success: nothing changed since etag/last_modified)
    content_type: str  # Content-Type header as sent ("" if none); the bytes are not decoded here
    bytes_received: int  # len(body), after decompression
    duration_ms: float  # wall time, all hops
    max_age: int | None  # seconds, from Cache-Control s-maxage / max-age; None if absent, no-cache, no-store
    retry_after: int | None  # seconds, from Retry-After (delta-seconds or HTTP-date), at most MAX_DELAY_SECONDS
    permanent_redirect_to: str | None = None  # final_url when every hop was a 301/308, else None


class FetchError(Exception):
    """A fetch failed. ``str(error) == error.message``; ``url`` is the request that failed (maybe a redirect hop).

    The message is shown to editors and on the public /sources page: the URLs it names are redacted
    (:func:`articles.redaction.redact_url`: no credentials, no query).

    ``transient`` is True when retrying soon may work (timeouts, connection errors, 429, 5xx) and False
    when it will not until something changes (404, 410, other 4xx, refused URL, body too large,
    redirect loop, TLS certificate problems).
    """

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        http_status: int | None = None,
        retry_after: int | None = None,
        bytes_received: int = 0,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.http_status = http_status
        self.retry_after = retry_after
        self.bytes_received = bytes_received
        self.transient = transient

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # picklable (Celery result backends) despite keyword-only attributes
        return _rebuild_fetch_error, (self.message, self.__dict__)


def _rebuild_fetch_error(message: str, state: dict[str, Any]) -> FetchError:
    error = FetchError(message)
    error.__dict__.update(state)
    return error


@dataclass(frozen=True, slots=True)
class Hop:
    """One checked request target: where to send it and which addresses we may connect to."""

    url: str
    parsed: netguard.ParsedURL
    addresses: tuple[netguard.ResolvedAddress, ...] = field(repr=False)

    @property
    def host(self) -> str:
        """The host (with a non-default port) as named in messages and sent in the Host header."""
        return self.parsed.host_header


# --------------------------------------------------------------------------------------------------
# Public API


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allow_private: bool = False,
    user_agent: str = "OutageHub",
    connect_timeout: float = 10.0,
    total_timeout: float = 20.0,
    max_bytes: int = 15 * MiB,
    max_redirects: int = 5,
    accept: str = DEFAULT_ACCEPT,
) -> FetchResult:
    """GET ``url`` (following up to ``max_redirects`` redirects) and return the decompressed body.

    ``etag`` / ``last_modified`` make it a conditional GET (If-None-Match / If-Modified-Since); a 304
    answer is a success with ``not_modified=True`` and an empty body. A 304 to a request without them is a
    :class:`FetchError`, like every other failure.
    """
    started = time.monotonic()
    deadline_at = started + total_timeout
    connect_timeout = min(connect_timeout, MAX_CONNECT_TIMEOUT)
    headers = {"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    hop = check_hop(url, allow_private=allow_private)
    chain = [hop.url]
    every_hop_permanent = True
    limits = _Limits(total_timeout, connect_timeout, max_bytes, deadline_at)
    watch = _watchdog.watch(deadline_at)
    _local.watch = watch
    try:
        while True:
            response = _send(hop, headers, limits, watch)
            status = response.status
            location = response.headers.get("Location") if status in REDIRECT_STATUSES else None
            if location:
                _discard(response)
                next_url = resolve_redirect(hop.url, location)
                if next_url in chain:
                    raise FetchError(
                        f"redirect loop: {_chain(chain, next_url)}; the site is misconfigured "
                        "(or wants cookies); open the URL in a browser and use the address it ends on",
                        url=hop.url,
                        http_status=status,
                    )
                if len(chain) > max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {max_redirects}): {_chain(chain, next_url)}; "
                        "use the address the redirects lead to",
                        url=hop.url,
                        http_status=status,
                    )
                every_hop_permanent = every_hop_permanent and status in PERMANENT_REDIRECT_STATUSES
                chain.append(next_url)
                hop = check_hop(next_url, allow_private=allow_private, redirected_from=hop.url)
                continue
            return _result(url, hop, response, etag, last_modified, limits, watch, started, every_hop_permanent)
    finally:
        _local.watch = None
        _watchdog.release(watch)


def check_hop(url: str, *, allow_private: bool, redirected_from: str = "") -> Hop:
    """Check one request target (the start URL, or a redirect target) and resolve its host.

    Raises :class:`FetchError` (permanent, or transient for a temporary DNS failure) when the URL is not
    http/https, is malformed, does not resolve, or resolves to a non-public address without
    ``allow_private``. :func:`fetch` calls this for every hop and connects only to ``Hop.addresses``.
    """
    try:
        parsed = netguard.parse_url(url)
        addresses = netguard.check_host(parsed.host, parsed.port, allow_private)
    except netguard.UnsafeURLError as exc:
        if redirected_from:
            source, target = _host_of(redirected_from), redact_url(url)
            message = f"refused redirect from {source} to {target}: {exc.reason}"
            if isinstance(exc, netguard.UnresolvableHostError):
                message = f"redirect from {source} to {target} failed: {exc.message}"
        else:
            message = exc.message
        raise FetchError(message, url=url, transient=exc.transient) from None
    return Hop(url=url, parsed=parsed, addresses=tuple(addresses))


def resolve_redirect(current_url: str, location: str) -> str:
    """The absolute URL a Location header points to (relative to ``current_url``), without fragment."""
    return urldefrag(urljoin(current_url, location.strip())).url


def parse_max_age(cache_control: str) -> int | None:
    """Seconds from Cache-Control ``s-maxage`` (preferred) or ``max-age``, at most MAX_DELAY_SECONDS; None
    for no-cache/no-store."""
    directives: dict[str, str] = {}
    for part in cache_control.split(","):
        name, _, value = part.partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    for name in ("s-maxage", "max-age"):
        seconds = _delta_seconds(directives.get(name, ""))
        if seconds is not None:
            return seconds
    return None


def parse_retry_after(value: str, now: datetime | None = None) -> int | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (past dates give 0).

    At most scheduling.MAX_DELAY_SECONDS, the longest pause between two polls: a longer wait is never
    what happens, so it is never what an error says.
    """
    value = value.strip()
    if not value:
        return None
    seconds = _delta_seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0, math.ceil(seconds)), MAX_DELAY_SECONDS)


def _delta_seconds(value: str) -> int | None:
    """An HTTP delta-seconds value (ASCII digits only) capped at MAX_DELAY_SECONDS; None if it is not one."""
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is True, and int() refuses it
        return None
    digits = value.lstrip("0") or "0"
    # By length first: int() refuses more than 4,300 digits, and a header may hold more.
    if len(digits) > len(str(MAX_DELAY_SECONDS)):
        return MAX_DELAY_SECONDS
    return min(int(digits), MAX_DELAY_SECONDS)


# --------------------------------------------------------------------------------------------------
# One request


@dataclass(slots=True)
class _Limits:
    total_timeout: float
    connect_timeout: float
    max_bytes: int
    deadline_at: float


def _send(hop: Hop, headers: dict[str, str], limits: _Limits, watch: _Watch) -> BaseHTTPResponse:
    """Send the GET to the first address that accepts a connection; return the response (headers read)."""
    parsed = hop.parsed
    request_headers = {**headers, "Host": parsed.host_header}
    last = len(hop.addresses) - 1
    for index, address in enumerate(hop.addresses):
        remaining = limits.deadline_at - time.monotonic()
        if remaining <= 0:
            raise _timeout_error(hop, "waiting for a response from", limits)
        connect = min(limits.connect_timeout, remaining)
        pool = _pools.get(parsed.scheme, address.connect_ip, parsed.port, parsed.host)
        try:
            response = pool.urlopen(
                "GET",
                parsed.target,
                headers=request_headers,
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                timeout=Timeout(connect=connect, read=remaining),
                preload_content=False,
                decode_content=True,
                release_conn=False,
            )
        except (NewConnectionError, ConnectTimeoutError) as exc:
            if index < last and time.monotonic() < limits.deadline_at:
                continue  # try the host's next address
            raise _connection_error(exc, hop, address, connect, limits, watch) from None
        except (HTTPError, OSError) as exc:
            raise _connection_error(exc, hop, address, connect, limits, watch) from None
        if watch.fired:  # the watchdog cut a server that trickled its headers; what we got is not a response
            _discard(response)
            raise _timeout_error(hop, "waiting for a response from", limits)
        return response
    raise AssertionError("unreachable: a Hop always has at least one address")


def _result(
    url: str,
    hop: Hop,
    response: BaseHTTPResponse,
    sent_etag: str,
    sent_last_modified: str,
    limits: _Limits,
    watch: _Watch,
    started: float,
    every_hop_permanent: bool,
) -> FetchResult:
    status = response.status
    headers = {name.lower(): value for name, value in response.headers.itermerged()}
    retry_after = parse_retry_after(headers.get("retry-after", ""))
    not_modified = status == 304
    if not_modified:
        _discard(response)
        if not (sent_etag or sent_last_modified):  # "not modified" since nothing: no feed was ever read
            raise FetchError(
                f"HTTP 304 Not Modified from {hop.host}: answered 304 Not Modified to a request without validators "
                "(we sent no If-None-Match or If-Modified-Since), so there is nothing to read; the server or a "
                "cache in front of it is misconfigured; retry later",
                url=hop.url,
                http_status=status,
                transient=True,
            )
        body = b""
    elif 200 <= status < 300:
        body = _read_body(response, hop, headers, limits, watch)
    else:
        _discard(response)
        raise _status_error(hop, status, response.reason, retry_after)
    final_url = hop.url
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        body=body,
        headers=headers,
        etag=headers.get("etag", sent_etag if not_modified else ""),
        last_modified=headers.get("last-modified", sent_last_modified if not_modified else ""),
        not_modified=not_modified,
        content_type=headers.get("content-type", ""),
        bytes_received=len(body),
        duration_ms=(time.monotonic() - started) * 1000.0,
        max_age=parse_max_age(headers.get("cache-control", "")),
        retry_after=retry_after,
        permanent_redirect_to=final_url if every_hop_permanent and final_url != url else None,
    )


def _read_body(
    response: BaseHTTPResponse, hop: Hop, headers: dict[str, str], limits: _Limits, watch: _Watch
) -> bytes:
    max_bytes = limits.max_bytes
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        _discard(response)
        raise FetchError(
            f"response body from {hop.host} declares {_size(int(declared))} (Content-Length), more than the "
            f"{_size(max_bytes)} limit; the URL probably points at a file, not a feed; check the URL",
            url=hop.url,
            http_status=response.status,
        )
    connection = response.connection
    sock = connection.sock if connection is not None else None
    chunks: list[bytes] = []
    received = 0
    try:
        while True:
            remaining = limits.deadline_at - time.monotonic()
            if remaining <= 0:
                raise _timeout_error(hop, "reading the body from", limits, received)
            if sock is not None:
                sock.settimeout(remaining)
            chunk = response.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise FetchError(
                    f"response body exceeds {_size(max_bytes)} (after decompression) from {hop.host}; the URL "
                    "probably points at something other than a feed; check the URL",
                    url=hop.url,
                    http_status=response.status,
                    bytes_received=received,
                )
            if response.tell() > max_bytes:  # compressed bytes on the wire that barely decompress
                raise FetchError(
                    f"response body exceeds {_size(max_bytes)} (as received, compressed) from {hop.host}; "
                    "the URL probably points at something other than a feed; check the URL",
                    url=hop.url,
                    http_status=response.status,
                    bytes_received=received,
                )
            chunks.append(chunk)
    except FetchError:
        _discard(response)
        raise
    except (HTTPError, OSError) as exc:
        _discard(response)
        if watch.fired or time.monotonic() >= limits.deadline_at:
            raise _timeout_error(hop, "reading the body from", limits, received) from None
        if isinstance(exc, DecodeError):
            raise FetchError(
                f"could not decompress the body from {hop.host} ({_detail(exc)}); the server sent corrupt "
                "compressed data",
                url=hop.url,
                http_status=response.status,
                bytes_received=received,
            ) from None
        raise FetchError(
            f"connection to {hop.host} broke while reading the body ({_detail(exc)}); retry later",
            url=hop.url,
            http_status=response.status,
            bytes_received=received,
            transient=True,
        ) from None
    if watch.fired:  # the watchdog shut the socket, which can look like a normal end of the body
        _discard(response)
        raise _timeout_error(hop, "reading the body from", limits, received)
    response.release_conn()
    return b"".join(chunks)


def _discard(response: BaseHTTPResponse) -> None:
    """Give the connection back to its pool: kept alive when nothing is left to read, else closed."""
    try:
        if response.length_remaining == 0:  # 304, 204, empty body: reusable
            response.drain_conn()
        else:  # unread (possibly endless) body: never read it just to reuse the connection
            response.close()
    finally:
        response.release_conn()


# --------------------------------------------------------------------------------------------------
# Error messages


def _status_error(hop: Hop, status: int, reason: str, retry_after: int | None) -> FetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason or "(unknown status)"
    prefix = f"HTTP {status} {phrase} from {hop.host}"
    wait = "retry later"
    if retry_after is not None:
        wait = f"retry after {retry_after} s"
        if retry_after == MAX_DELAY_SECONDS:  # the server may have asked for longer (parse_retry_after)
            wait += " (the longest pause between polls)"
    transient = False
    if status == 404:
        text = f"{prefix}: the feed URL is wrong or the feed was removed; check the URL"
    elif status == 410:
        text = f"{prefix}: the feed is gone for good; remove this source or find the feed's new URL"
    elif status == 429:
        text = f"{prefix}: we are polling too often; {wait}"
        transient = True
    elif status >= 500:
        text = f"{prefix}: the server is failing; {wait}"
        transient = True
    elif status == 408:
        text = f"{prefix}: the server gave up waiting for our request; {wait}"
        transient = True
    elif status in (401, 403):
        text = (
            f"{prefix}: the server refuses access (it may require a login or block our user agent); "
            "check the URL in a browser"
        )
    elif 400 <= status < 500:
        text = f"{prefix}: the server rejected the request; check the URL"
    elif status in REDIRECT_STATUSES:
        text = f"{prefix} without a Location header; the server is misconfigured"
    else:
        text = f"{prefix}: not a response we can use; check the URL"
    return FetchError(text, url=hop.url, http_status=status, retry_after=retry_after, transient=transient)


def _connection_error(
    exc: BaseException,
    hop: Hop,
    address: netguard.ResolvedAddress,
    connect_timeout: float,
    limits: _Limits,
    watch: _Watch,
) -> FetchError:
    where = f"{hop.host} ({address.connect_ip} port {hop.parsed.port})"
    if isinstance(exc, NewConnectionError):
        cause = _os_cause(exc)
        if isinstance(cause, ConnectionRefusedError):
            text = f"could not connect to {where}: connection refused; the server is down or the port is wrong"
        else:
            text = f"could not connect to {where}: {_detail(cause or exc)}; the server or network is down"
        return FetchError(f"{text}; retry later", url=hop.url, transient=True)
    if isinstance(exc, ConnectTimeoutError):
        if connect_timeout < limits.connect_timeout:  # the total deadline cut the connect short
            return _timeout_error(hop, "connecting to", limits)
        return FetchError(
            f"timed out after {_secs(connect_timeout)} s connecting to {where}; the server or network is "
            "down or overloaded; retry later",
            url=hop.url,
            transient=True,
        )
    if watch.fired or time.monotonic() >= limits.deadline_at or isinstance(exc, ReadTimeoutError | TimeoutError):
        return _timeout_error(hop, "waiting for a response from", limits)
    if isinstance(exc, SSLError):
        detail = _detail(exc)
        if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate" in detail.lower():
            return FetchError(
                f"TLS certificate of {hop.host} is not valid ({detail}); it is expired, self-signed or for "
                "another name, and only the site can fix that",
                url=hop.url,
            )
        return FetchError(f"TLS handshake with {hop.host} failed ({detail}); retry later", url=hop.url, transient=True)
    if isinstance(exc, ProtocolError):
        return FetchError(
            f"{hop.host} closed the connection without a complete response ({_detail(exc)}); retry later",
            url=hop.url,
            transient=True,
        )
    return FetchError(f"request to {hop.host} failed ({_detail(exc)}); retry later", url=hop.url, transient=True)


def _timeout_error(hop: Hop, doing: str, limits: _Limits, received: int = 0) -> FetchError:
    return FetchError(
        f"timed out after {_secs(limits.total_timeout)} s {doing} {hop.host}; the server is too slow; retry later",
        url=hop.url,
        bytes_received=received,
        transient=True,
    )


def _os_cause(exc: BaseException) -> BaseException | None:
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and not isinstance(seen, HTTPError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _detail(exc: BaseException) -> str:
    if isinstance(exc, ProtocolError) and len(exc.args) > 1:
        inner = exc.args[1]
        return f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    # urllib3 prefixes the connection object's repr ("<HTTPConnection(...)>: ..."); keep the cause.
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text or type(exc).__name__


def _host_of(url: str) -> str:
    try:
        return netguard.parse_url(url).host_header
    except netguard.UnsafeURLError:
        return redact_url(url)


def _chain(chain: list[str], next_url: str) -> str:
    """The redirect chain for a message, each URL without its credentials or query."""
    return " → ".join(redact_url(url) for url in [*chain, next_url])


def _size(n: int) -> str:
    if n >= MiB:
        value = n / MiB
        return f"{value:.0f} MiB" if value == int(value) else f"{value:.1f} MiB"
    if n >= 1024:
        value = n / 1024
        return f"{value:.0f} KiB" if value == int(value) else f"{value:.1f} KiB"
    return f"{n} bytes"


def _secs(seconds: float) -> str:
    return f"{seconds:g}"


# --------------------------------------------------------------------------------------------------
# Deadline watchdog: one daemon thread per process shuts down the socket of a fetch past its deadline.


class _Watch:
    __slots__ = ("connection", "done", "fired")

    def __init__(self) -> None:
        self.connection: HTTPConnection | None = None
        self.fired = False
        self.done = False


class _Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Watch]] = []
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline_at: float) -> _Watch:
        watch = _Watch()
        with self._cond:
            heapq.heappush(self._heap, (deadline_at, next(self._counter), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outagehub-fetch-deadline", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._cond.notify()
        return watch

    def claim(self, connection: HTTPConnection) -> None:
        """``connection`` is about to send a request for the fetch running in this thread."""
        watch = getattr(_local, "watch", None)
        with self._cond:
            connection._outagehub_watch = watch  # type: ignore[attr-defined]
            if watch is not None:
                watch.connection = connection

    def enforce(self, connection: HTTPConnection) -> None:
        """The request was sent (the socket now exists): cut it at once if the deadline already passed."""
        with self._cond:
            watch = getattr(connection, "_outagehub_watch", None)
            if watch is not None and watch.fired and not watch.done:
                _shutdown(connection)

    def release(self, watch: _Watch) -> None:
        with self._cond:
            watch.done = True
            watch.connection = None

    def _run(self) -> None:
        heap = self._heap
        with self._cond:
            while True:
                if not heap:
                    self._cond.wait()
                    continue
                deadline_at, _, watch = heap[0]
                if watch.done:
                    heapq.heappop(heap)
                    continue
                delay = deadline_at - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(heap)
                watch.fired = True
                connection = watch.connection
                if connection is not None and getattr(connection, "_outagehub_watch", None) is watch:
                    _shutdown(connection)


def _shutdown(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        # socket.socket.shutdown even for TLS sockets: interrupt the blocked read, skip the TLS goodbye.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_local = threading.local()
_watchdog = _Watchdog()


# --------------------------------------------------------------------------------------------------
# Connections and pools


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _watchdog.claim(self)
        super().request(*args, **kwargs)
        _watchdog.enforce(self)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _watchdog.claim(self)
        super().request(*args, **kwargs)
        _watchdog.enforce(self)

    def connect(self) -> None:
        # One context per thread: urllib3 sets ALPN on the context at every handshake, which is not safe
        # while another thread creates a TLS connection from the same context.
        self.ssl_context = _thread_ssl_context()
        super().connect()


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _thread_ssl_context() -> ssl.SSLContext:
    context = getattr(_local, "ssl_context", None)
    if context is None:
        context = ssl.create_default_context()  # system CA bundle, hostname checking, TLS 1.2+
        _local.ssl_context = context
    return context


class _PoolCache:
    """Connection pools keyed by (scheme, checked IP, port, TLS server name), least recently used dropped."""

    def __init__(self, max_pools: int = 128, connections_per_pool: int = 4) -> None:
        self._pools: OrderedDict[tuple[str, str, int, str], HTTPConnectionPool] = OrderedDict()
        self._lock = threading.Lock()
        self._max_pools = max_pools
        self._per_pool = connections_per_pool

    def get(self, scheme: str, ip: str, port: int, host: str) -> HTTPConnectionPool:
        key = (scheme, ip, port, host if scheme == "https" else "")
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            if scheme == "https":
                pool = _HTTPSPool(
                    ip, port, maxsize=self._per_pool, block=False, retries=_NO_RETRIES, server_hostname=host
                )
            else:
                pool = _HTTPPool(ip, port, maxsize=self._per_pool, block=False, retries=_NO_RETRIES)
            self._pools[key] = pool
            evicted = self._pools.popitem(last=False)[1] if len(self._pools) > self._max_pools else None
        if evicted is not None:
            evicted.close()
        return pool

    def clear(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()


_pools = _PoolCache()


def _after_fork_in_child() -> None:
    # Never share sockets, locks or the watchdog thread with the parent (Celery prefork workers).
    global _pools, _watchdog, _local
    _pools = _PoolCache()
    _watchdog = _Watchdog()
    _local = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
