"""The arithmetic of the API's rate limit per client: the rate setting, the client's address, the
window a request falls in. Pure; the counting is in views.py (Django's cache).

A fixed window: OUTAGEHUB_API_RATE="120/min" allows 120 requests per client in each clock minute.
It is one counter per client and window (an atomic increment in Redis), and a client that spends its
allowance early waits at most one window.
"""

import ipaddress
import re
from dataclasses import dataclass

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
         "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{0,6})\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """ "120/min", "10/s", "5000/hour", "100/5min" → Rate; ValueError for anything else."""
    match = _RATE.match(text.lower())
    if not match or match[3] not in UNITS or int(match[1]) < 1 or match[2] == "0":
        raise ValueError(f"{text!r} is not a rate; write requests/period, such as 120/min, 10/s or 5000/hour")
    return Rate(int(match[1]), int(match[2] or 1) * UNITS[match[3]])


def window(now: float, rate: Rate) -> tuple[int, int]:
    """The number of the window `now` (seconds since the epoch) falls in, and the whole seconds
    until it ends (at least 1)."""
    number = int(now // rate.seconds)
    return number, max(1, int((number + 1) * rate.seconds - now + 0.999))


def client_ip(remote_addr: str, forwarded_for: str, trusted: frozenset[str]) -> str:
    """The address to count a request against: REMOTE_ADDR, unless it is a trusted proxy
    (FORWARDED_ALLOW_IPS, as gunicorn reads it; "*" trusts any), when the nearest address in
    X-Forwarded-For that is not one (each proxy appends the address it saw, so addresses to the left
    of the first untrusted one may be written by the client)."""
    trust_all = "*" in trusted
    if not (trust_all or remote_addr in trusted):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = remote_addr
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: what lies further left is no more to be believed
        client = hop
        if not trust_all and hop not in trusted:
            break
    return client
