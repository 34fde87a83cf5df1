import random

from articles.scheduling import MAX_BACKOFF_SECONDS, MAX_DELAY_SECONDS, next_poll_delay


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
