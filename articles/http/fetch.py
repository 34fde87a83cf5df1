"""Fetch one URL safely: the HTTP layer under feed and status-page polling, scraping and add_source.

Pure Python (no Django); urllib3 is the only dependency. :func:`fetch` returns a :class:`FetchResult` or
raises :class:`~articles.http.errors.FetchError` whose ``message`` says what went wrong and what to do,
and whose ``transient`` flag says whether retrying soon is worthwhile.

Safety properties:

* Every hop (the start URL and each redirect target) goes through :func:`check_hop`: http/https only,
  and the host's addresses are checked by :mod:`articles.http.netguard` (no loopback, private,
  link-local, metadata-service ... addresses unless ``allow_private``).
* We connect to the address that was checked, never to a fresh DNS answer (DNS rebinding), with SNI,
  certificate verification and the Host header using the original host name (:mod:`.pools`).
* Redirects are followed here, not by urllib3: at most ``max_redirects``, loops reported.
* One deadline (``total_timeout``) covers all hops, the response headers and the whole body. Socket
  timeouts end normal stalls; :mod:`articles.http.deadline` shuts down the socket of a fetch that
  outlives its deadline, so a server trickling headers, chunk sizes or compressed padding cannot
  stretch it either. (DNS resolution is bounded by the system resolver, not by this deadline.)
* The body is streamed and counted after decompression (and on the wire), aborting past ``max_bytes``;
  a declared Content-Length over the limit fails before reading. A gzip bomb costs at most one chunk of
  memory beyond the limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

from urllib3.exceptions import ConnectTimeoutError, DecodeError, HTTPError, NewConnectionError
from urllib3.response import BaseHTTPResponse
from urllib3.util import Timeout
from urllib3.util.request import ACCEPT_ENCODING

from ..redaction import redact_url
from . import netguard
from .deadline import Deadline
from .errors import (
    REDIRECT_STATUSES,
    FetchError,
    connection_error,
    exception_detail,
    redirect_chain,
    size_text,
    status_error,
    timeout_error,
)
from .headers import parse_max_age, parse_retry_after
from .pools import NO_RETRIES, connection_pool

__all__ = ["DEFAULT_ACCEPT", "FetchResult", "Hop", "PostResult", "check_hop", "fetch", "post", "resolve_redirect"]

MiB = 1024 * 1024
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
MAX_CONNECT_TIMEOUT = 10.0
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
_CHUNK = 64 * 1024


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
    connect_timeout = min(connect_timeout, MAX_CONNECT_TIMEOUT)
    headers = {"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    hop = check_hop(url, allow_private=allow_private)
    chain = [hop.url]
    every_hop_permanent = True
    with Deadline(total_timeout) as deadline:
        limits = _Limits(connect_timeout, max_bytes, deadline)
        while True:
            response = _send(hop, headers, limits)
            status = response.status
            location = response.headers.get("Location") if status in REDIRECT_STATUSES else None
            if location:
                _discard(response)
                next_url = resolve_redirect(hop.url, location)
                if next_url in chain:
                    raise FetchError(
                        f"redirect loop: {redirect_chain(chain, next_url)}; the site is misconfigured "
                        "(or wants cookies); open the URL in a browser and use the address it ends on",
                        url=hop.url,
                        http_status=status,
                    )
                if len(chain) > max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {max_redirects}): {redirect_chain(chain, next_url)}; "
                        "use the address the redirects lead to",
                        url=hop.url,
                        http_status=status,
                    )
                every_hop_permanent = every_hop_permanent and status in PERMANENT_REDIRECT_STATUSES
                chain.append(next_url)
                hop = check_hop(next_url, allow_private=allow_private, redirected_from=hop.url)
                continue
            return _result(url, hop, response, etag, last_modified, limits, started, every_hop_permanent)


@dataclass(frozen=True, slots=True)
class PostResult:
    status: int  # 2xx: anything else is a FetchError with its http_status
    body: bytes  # what the receiver answered, at most max_bytes
    duration_ms: float


def post(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    allow_private: bool = False,
    user_agent: str = "OutageHub",
    connect_timeout: float = 10.0,
    total_timeout: float = 10.0,
    max_bytes: int = 64 * 1024,
) -> PostResult:
    """POST ``body`` to ``url`` under the same guard and bounds as :func:`fetch`: the address checked
    (private ones refused unless ``allow_private``), one total deadline, the answer's size bounded.
    Redirects are not followed: a receiver that moved is a refusal (a 3xx could point a signed message
    anywhere, a private address included). Raises :class:`FetchError`; ``transient`` says whether a
    retry may work (5xx, 429, timeouts, connection errors), ``http_status`` what the receiver answered."""
    started = time.monotonic()
    hop = check_hop(url, allow_private=allow_private)
    request_headers = {"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING, **headers}
    with Deadline(total_timeout) as deadline:
        limits = _Limits(min(connect_timeout, MAX_CONNECT_TIMEOUT), max_bytes, deadline)
        response = _send(hop, request_headers, limits, method="POST", body=body)
        status = response.status
        if status in REDIRECT_STATUSES:
            _discard(response)
            raise FetchError(
                f"HTTP {status} from {hop.host}: the receiver redirects, and messages are never sent on to another "
                "address; use the address it redirects to",
                url=hop.url,
                http_status=status,
            )
        if not 200 <= status < 300:
            _discard(response)
            raise status_error(hop, status, response.reason, parse_retry_after(response.headers.get("Retry-After", "")),
                               target="webhook")
        headers_read = {name.lower(): value for name, value in response.headers.itermerged()}
        answer = _read_body(response, hop, headers_read, limits)
    return PostResult(status=status, body=answer, duration_ms=(time.monotonic() - started) * 1000.0)


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


# --------------------------------------------------------------------------------------------------
# One request


@dataclass(slots=True)
class _Limits:
    connect_timeout: float
    max_bytes: int
    deadline: Deadline


def _send(hop: Hop, headers: dict[str, str], limits: _Limits, method: str = "GET",
          body: bytes | None = None) -> BaseHTTPResponse:
    """Send the request to the first address that accepts a connection; return the response (headers read)."""
    parsed = hop.parsed
    request_headers = {**headers, "Host": parsed.host_header}
    last = len(hop.addresses) - 1
    for index, address in enumerate(hop.addresses):
        remaining = limits.deadline.remaining()
        if remaining <= 0:
            raise timeout_error(hop, "waiting for a response from", limits.deadline)
        connect = min(limits.connect_timeout, remaining)
        pool = connection_pool(parsed.scheme, address.connect_ip, parsed.port, parsed.host)
        try:
            response = pool.urlopen(
                method,
                parsed.target,
                body=body,
                headers=request_headers,
                retries=NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                timeout=Timeout(connect=connect, read=remaining),
                preload_content=False,
                decode_content=True,
                release_conn=False,
            )
        except (NewConnectionError, ConnectTimeoutError) as exc:
            if index < last and limits.deadline.remaining() > 0:
                continue  # try the host's next address
            raise _connection_error(exc, hop, address, connect, limits) from None
        except (HTTPError, OSError) as exc:
            raise _connection_error(exc, hop, address, connect, limits) from None
        if limits.deadline.expired:  # a server trickled its headers and was cut: what we got is not a response
            _discard(response)
            raise timeout_error(hop, "waiting for a response from", limits.deadline)
        return response
    raise AssertionError("unreachable: a Hop always has at least one address")


def _result(
    url: str,
    hop: Hop,
    response: BaseHTTPResponse,
    sent_etag: str,
    sent_last_modified: str,
    limits: _Limits,
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
        body = _read_body(response, hop, headers, limits)
    else:
        _discard(response)
        raise status_error(hop, status, response.reason, retry_after)
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


def _read_body(response: BaseHTTPResponse, hop: Hop, headers: dict[str, str], limits: _Limits) -> bytes:
    max_bytes = limits.max_bytes
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        _discard(response)
        raise FetchError(
            f"response body from {hop.host} declares {size_text(int(declared))} (Content-Length), more than the "
            f"{size_text(max_bytes)} limit; the URL probably points at a file, not a feed; check the URL",
            url=hop.url,
            http_status=response.status,
        )
    connection = response.connection
    sock = connection.sock if connection is not None else None
    chunks: list[bytes] = []
    received = 0
    try:
        while True:
            remaining = limits.deadline.remaining()
            if remaining <= 0:
                raise timeout_error(hop, "reading the body from", limits.deadline, received)
            if sock is not None:
                sock.settimeout(remaining)
            chunk = response.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise FetchError(
                    f"response body exceeds {size_text(max_bytes)} (after decompression) from {hop.host}; the URL "
                    "probably points at something other than a feed; check the URL",
                    url=hop.url,
                    http_status=response.status,
                    bytes_received=received,
                )
            if response.tell() > max_bytes:  # compressed bytes on the wire that barely decompress
                raise FetchError(
                    f"response body exceeds {size_text(max_bytes)} (as received, compressed) from {hop.host}; "
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
        if limits.deadline.expired or limits.deadline.remaining() <= 0:
            raise timeout_error(hop, "reading the body from", limits.deadline, received) from None
        if isinstance(exc, DecodeError):
            raise FetchError(
                f"could not decompress the body from {hop.host} ({exception_detail(exc)}); the server sent corrupt "
                "compressed data",
                url=hop.url,
                http_status=response.status,
                bytes_received=received,
            ) from None
        raise FetchError(
            f"connection to {hop.host} broke while reading the body ({exception_detail(exc)}); retry later",
            url=hop.url,
            http_status=response.status,
            bytes_received=received,
            transient=True,
        ) from None
    if limits.deadline.expired:  # its socket was shut down, which can look like a normal end of the body
        _discard(response)
        raise timeout_error(hop, "reading the body from", limits.deadline, received)
    response.release_conn()
    return b"".join(chunks)


def _connection_error(
    exc: BaseException, hop: Hop, address: netguard.ResolvedAddress, connect: float, limits: _Limits
) -> FetchError:
    return connection_error(exc, hop, address, connect_timeout=connect, full_connect_timeout=limits.connect_timeout,
                            deadline=limits.deadline)


def _discard(response: BaseHTTPResponse) -> None:
    """Give the connection back to its pool: kept alive when nothing is left to read, else closed."""
    try:
        if response.length_remaining == 0:  # 304, 204, empty body: reusable
            response.drain_conn()
        else:  # unread (possibly endless) body: never read it just to reuse the connection
            response.close()
    finally:
        response.release_conn()


def _host_of(url: str) -> str:
    try:
        return netguard.parse_url(url).host_header
    except netguard.UnsafeURLError:
        return redact_url(url)
