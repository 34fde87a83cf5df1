"""Repeat a piece of work long enough for a stable rate, never unboundedly.

Rates come from the median round, not the mean: on a shared 2-core machine another process can
take the CPU for a moment, and one slow round should not move the figure much."""

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from time import perf_counter


@dataclass(frozen=True)
class Rate:
    units_per_round: int  # items parsed or stored in one round; the same every round
    round_seconds: tuple[float, ...]

    @property
    def rounds(self) -> int:
        return len(self.round_seconds)

    @property
    def seconds(self) -> float:
        return sum(self.round_seconds)

    @property
    def per_second(self) -> float:
        middle = median(self.round_seconds) if self.round_seconds else 0.0
        return self.units_per_round / middle if middle > 0 else 0.0


def repeat_for(work: Callable[[], int], min_seconds: float, max_rounds: int = 100_000, warmup: bool = True) -> Rate:
    """Call `work` (which returns how many units it did) until `min_seconds` have passed, at least
    once and at most `max_rounds` times. The warm-up call keeps first-call costs (imports, caches,
    connection set-up) out of the rate."""
    if warmup:
        work()
    units = 0
    round_seconds: list[float] = []
    while True:
        started = perf_counter()
        units = work()
        round_seconds.append(perf_counter() - started)
        if sum(round_seconds) >= min_seconds or len(round_seconds) >= max_rounds:
            return Rate(units, tuple(round_seconds))
