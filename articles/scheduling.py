"""When to poll a source next, and which due times a dispatch tick takes. Pure arithmetic, so the
policy is easy to read and to test."""

import random
from datetime import datetime, timedelta

MAX_BACKOFF_SECONDS = 6 * 3600
MAX_DELAY_SECONDS = 24 * 3600  # the longest pause between polls; http/headers.py caps Retry-After, max-age to it
JITTER_FRACTION = 0.1


def next_poll_delay(
    interval: int,
    consecutive_failures: int = 0,
    max_age: int | None = None,
    retry_after: int | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll.

    1. Healthy: the source's interval, or longer if the server's Cache-Control max-age says so.
    2. Failing: interval times consecutive failures, capped at MAX_BACKOFF_SECONDS.
    3. Retry-After, when given, is a floor.
    4. Up to 10% random jitter, so sources that failed together do not retry together.
    """
    delay = float(interval)
    if consecutive_failures:
        delay = min(interval * consecutive_failures, MAX_BACKOFF_SECONDS)
    elif max_age:
        delay = max(delay, max_age)
    if retry_after:
        delay = max(delay, retry_after)
    delay = min(delay, MAX_DELAY_SECONDS)
    return delay + (rng or random).uniform(0, delay * JITTER_FRACTION)


def dispatch_horizon(tick: datetime, period: float) -> datetime:
    """The latest due time the dispatch tick at `tick` takes, when ticks come every `period` seconds.

    A source's next poll is counted from when its fetch started, a moment after the tick that
    dispatched it, plus jitter; so with "due by now" a 60 s source fell due just after the next tick
    and waited a whole period more: polled every 120 s (issue 15). Taking every source due before the
    midpoint to the next tick rounds each due time to the nearest tick instead, so a source is
    polled on average at its own interval and never a whole period late.
    """
    return tick + timedelta(seconds=period / 2)
