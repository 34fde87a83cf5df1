"""The shared cache of rendered pages and feeds (CACHE_URL: Redis in production, local memory by default).

A response is stored under its version (conditional.py: what the view shows, and the content version
that every change moves) and its absolute URL, so a change is never served stale: the next request
computes a new version and misses. Old versions are simply never asked for again and expire. The
cache is a help, not a dependency: when it fails (Redis down), pages are rendered as if it were empty.
"""

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

# Set per response by the middleware or the conditional decorator, not part of what is stored.
_NOT_STORED = {"etag", "last-modified", "cache-control", "content-length", "vary", "set-cookie"}


def page_key(request: HttpRequest, etag: str) -> str:
    """The version and the absolute URL (feeds write the host into their links), hashed to a fixed length."""
    return "page:" + hashlib.sha256(f"{etag} {request.build_absolute_uri()}".encode()).hexdigest()


def cached_response(key: str) -> HttpResponse | None:
    try:
        stored = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure is a miss, never an error page
        log.warning("page cache unavailable, rendering instead: %s: %s", type(exc).__name__, exc)
        return None
    if stored is None:
        return None
    status, headers, content = stored
    return HttpResponse(content, status=status, headers=headers)


def store(key: str, response: HttpResponse) -> None:
    """Keep a successful, complete response that sets no cookie and varies with nothing but its URL."""
    if response.streaming or response.cookies or response.has_header("Vary") or not 200 <= response.status_code < 300:
        return
    headers = {name: value for name, value in response.items() if name.lower() not in _NOT_STORED}
    try:
        cache.set(key, (response.status_code, headers, response.content))
    except Exception as exc:  # noqa: BLE001 - as in cached_response
        log.warning("page cache unavailable, not stored: %s: %s", type(exc).__name__, exc)
