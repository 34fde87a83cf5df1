"""FetchError, and the message of each way a fetch fails: what went wrong and what to do (pure).

Messages reach editors (admin), the public /sources page and the logs: the URLs they name are
redacted (:func:`articles.redaction.redact_url`: no credentials, no query).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from ..redaction import redact_url
from ..scheduling import MAX_DELAY_SECONDS

if TYPE_CHECKING:
    from .deadline import Deadline
    from .fetch import Hop
    from .netguard import ResolvedAddress

__all__ = [
    "REDIRECT_STATUSES",
    "FetchError",
    "connection_error",
    "exception_detail",
    "redirect_chain",
    "size_text",
    "status_error",
    "timeout_error",
]

MiB = 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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


# What a refusal means depends on what we asked for: a feed we poll, or a webhook we send an alert to.
_REFUSALS = {
    "feed": {
        404: "the feed URL is wrong or the feed was removed; check the URL",
        410: "the feed is gone for good; remove this source or find the feed's new URL",
        429: "we are polling too often",
    },
    "webhook": {
        404: "the webhook's address is wrong or the webhook was removed; check it with whoever made it",
        410: "the webhook is gone for good; remove this watch or ask for the webhook's new address",
        429: "the receiver limits how often we send",
    },
}


def status_error(hop: Hop, status: int, reason: str, retry_after: int | None, target: str = "feed") -> FetchError:
    """The error for a final response that is neither a success nor a 304 (nor a redirect we follow);
    `target` ("feed" or "webhook") is what we asked the server for."""
    refusals = _REFUSALS[target]
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
    if status in (404, 410):
        text = f"{prefix}: {refusals[status]}"
    elif status == 429:
        text = f"{prefix}: {refusals[429]}; {wait}"
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


def connection_error(
    exc: BaseException,
    hop: Hop,
    address: ResolvedAddress,
    *,
    connect_timeout: float,
    full_connect_timeout: float,
    deadline: Deadline,
) -> FetchError:
    """The error for an exception raised while connecting or waiting for the response headers.

    ``connect_timeout`` is the one this attempt had: less than ``full_connect_timeout`` when the total
    deadline was nearer.
    """
    where = f"{hop.host} ({address.connect_ip} port {hop.parsed.port})"
    if isinstance(exc, NewConnectionError):
        cause = _os_cause(exc)
        if isinstance(cause, ConnectionRefusedError):
            text = f"could not connect to {where}: connection refused; the server is down or the port is wrong"
        else:
            text = f"could not connect to {where}: {exception_detail(cause or exc)}; the server or network is down"
        return FetchError(f"{text}; retry later", url=hop.url, transient=True)
    if isinstance(exc, ConnectTimeoutError):
        if connect_timeout < full_connect_timeout:  # the total deadline cut the connect short
            return timeout_error(hop, "connecting to", deadline)
        return FetchError(
            f"timed out after {_secs(connect_timeout)} s connecting to {where}; the server or network is "
            "down or overloaded; retry later",
            url=hop.url,
            transient=True,
        )
    if deadline.expired or deadline.remaining() <= 0 or isinstance(exc, ReadTimeoutError | TimeoutError):
        return timeout_error(hop, "waiting for a response from", deadline)
    if isinstance(exc, SSLError):
        detail = exception_detail(exc)
        if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate" in detail.lower():
            return FetchError(
                f"TLS certificate of {hop.host} is not valid ({detail}); it is expired, self-signed or for "
                "another name, and only the site can fix that",
                url=hop.url,
            )
        return FetchError(f"TLS handshake with {hop.host} failed ({detail}); retry later", url=hop.url, transient=True)
    if isinstance(exc, ProtocolError):
        return FetchError(
            f"{hop.host} closed the connection without a complete response ({exception_detail(exc)}); retry later",
            url=hop.url,
            transient=True,
        )
    detail = exception_detail(exc)
    return FetchError(f"request to {hop.host} failed ({detail}); retry later", url=hop.url, transient=True)


def timeout_error(hop: Hop, doing: str, deadline: Deadline, received: int = 0) -> FetchError:
    return FetchError(
        f"timed out after {_secs(deadline.seconds)} s {doing} {hop.host}; the server is too slow; retry later",
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


def exception_detail(exc: BaseException) -> str:
    """What an exception from urllib3 or the socket says, without urllib3's connection repr."""
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


def redirect_chain(chain: list[str], next_url: str) -> str:
    """The redirect chain for a message, each URL without its credentials or query."""
    return " → ".join(redact_url(url) for url in [*chain, next_url])


def size_text(n: int) -> str:
    """A size for a message: "15 MiB", "1.5 KiB", "300 bytes"."""
    if n >= MiB:
        value = n / MiB
        return f"{value:.0f} MiB" if value == int(value) else f"{value:.1f} MiB"
    if n >= 1024:
        value = n / 1024
        return f"{value:.0f} KiB" if value == int(value) else f"{value:.1f} KiB"
    return f"{n} bytes"


def _secs(seconds: float) -> str:
    return f"{seconds:g}"

