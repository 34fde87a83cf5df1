"""Counting requests against a per-client allowance in Django's shared cache (Redis in production).

The arithmetic (rates, windows, the client's address behind believed proxies) is pure, in
incidents/api/ratelimit.py; here is only the counter. The JSON API limits every anonymous request;
the public watch form limits sign-ups, which make the server send a confirmation to an address.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from incidents.api import ratelimit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Allowance:
    client: str
    used: int  # this window's requests, this one included; 0 when the cache could not count
    reset: int  # whole seconds until the window ends

    def exceeded(self, rate: ratelimit.Rate) -> bool:
        return self.used > rate.requests


def client_of(request: HttpRequest) -> str:
    return ratelimit.client_ip(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""),
                               frozenset(settings.FORWARDED_ALLOW_IPS))


def spend(scope: str, who: str, rate: ratelimit.Rate) -> Allowance:
    """Count one request of `who` (a client address, or any key such as a destination) in `scope`. A
    cache that fails lets requests through (logged): a limit protects the site, it must not take it down."""
    number, reset = ratelimit.window(time.time(), rate)
    key = f"{scope}:{rate.requests}/{rate.seconds}:{number}:{who}"
    try:
        cache.add(key, 0, timeout=reset + 1)
        used = cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - as the page cache: a failing cache is no limit, not an error
        log.warning("%s rate limit not counted, the cache failed: %s: %s", scope, type(exc).__name__, exc)
        used = 0
    return Allowance(who, used, reset)
