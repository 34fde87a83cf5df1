"""Cache-Control and Retry-After: how long a server asks us to wait, in seconds (pure)."""

import email.utils
import math
from datetime import UTC, datetime

from ..scheduling import MAX_DELAY_SECONDS

__all__ = ["parse_max_age", "parse_retry_after"]


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
