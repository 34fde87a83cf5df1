import random
from datetime import UTC, datetime, timedelta

import pytest

from articles.scheduling import MAX_BACKOFF_SECONDS, MAX_DELAY_SECONDS, dispatch_horizon, next_poll_delay


def no_jitter():
    rng = random.Random(0)
    rng.uniform = lambda a, b: a
    return rng


def test_a_healthy_source_waits_its_interval():
    assert next_poll_delay(60, rng=no_jitter()) == 60


def test_max_age_lengthens_but_never_shortens_the_interval():
    assert next_poll_delay(60, max_age=600, rng=no_jitter()) == 600
    assert next_poll_delay(300, max_age=10, rng=no_jitter()) == 300


def test_failures_back_off_linearly_up_to_a_cap():
    assert next_poll_delay(60, consecutive_failures=3, rng=no_jitter()) == 180
    assert next_poll_delay(3600, consecutive_failures=50, rng=no_jitter()) == MAX_BACKOFF_SECONDS


def test_retry_after_is_a_floor_and_everything_is_capped_at_a_day():
    assert next_poll_delay(60, consecutive_failures=1, retry_after=900, rng=no_jitter()) == 900
    assert next_poll_delay(60, retry_after=10 * 86400, rng=no_jitter()) == MAX_DELAY_SECONDS


def test_jitter_adds_up_to_a_tenth():
    delays = {next_poll_delay(100, rng=random.Random(seed)) for seed in range(50)}
    assert min(delays) >= 100 and max(delays) <= 110 and len(delays) > 40


def test_a_source_is_polled_on_the_tick_nearest_its_due_time():
    tick = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    assert dispatch_horizon(tick, 60) == tick + timedelta(seconds=30)
    assert dispatch_horizon(tick, 10) == tick + timedelta(seconds=5)


@pytest.mark.parametrize("fetch_lag", [0.0, 0.5, 5.0, 20.0])
def test_a_60_s_source_is_taken_by_every_tick_of_a_60_s_dispatch(fetch_lag):
    """Issue 15: its next poll, counted from a fetch that starts after its tick and with jitter,
    fell just after the next tick and was polled every 120 s. Any jitter and a lag of up to 20 s
    from tick to fetch must leave it due for the very next tick."""
    rng = random.Random(15)
    tick = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    for _ in range(1000):
        started = tick + timedelta(seconds=fetch_lag)
        due = started + timedelta(seconds=next_poll_delay(60, rng=rng))
        next_tick = tick + timedelta(seconds=60)
        assert next_tick < due <= dispatch_horizon(next_tick, 60)
        tick = next_tick


def test_a_source_whose_interval_is_longer_than_a_tick_is_not_polled_early_by_more_than_half_a_tick():
    tick = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    due = tick + timedelta(seconds=next_poll_delay(300, rng=no_jitter()))
    taken_at = next(tick + timedelta(seconds=60 * n) for n in range(1, 10)
                    if due <= dispatch_horizon(tick + timedelta(seconds=60 * n), 60))
    assert taken_at == tick + timedelta(seconds=300)
