"""When to poll a source next. Pure arithmetic, so the policy is easy to read and to test."""

import random

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
