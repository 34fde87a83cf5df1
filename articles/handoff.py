"""Where stored articles go next. `articles/` never imports `incidents/`: the app that consumes
articles registers itself here when Django starts (`incidents.apps`), and the fetch task and
`fetch_sources --sync` hand articles on through it.

- `queue(article_ids)`: give each article to the workers (the consumer's Celery task).
- `run_now(source_ids, warn)`: in this process, for `fetch_sources --sync`: every article of these
  sources not processed yet (new, changed, or failed before) and what follows from it; returns a
  one-line account of what was done. `warn` receives one readable line per article that failed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Consumer:
    queue: Callable[[list[int]], None]
    run_now: Callable[[list[int], Callable[[str], None]], str]


_consumer: Consumer | None = None


def register(consumer: Consumer) -> None:
    global _consumer  # one consumer per process, set once when Django starts
    _consumer = consumer


def queue(article_ids: Iterable[int]) -> None:
    ids = list(article_ids)
    if ids:
        _registered().queue(ids)


def run_now(source_ids: list[int], warn: Callable[[str], None]) -> str:
    return _registered().run_now(source_ids, warn)


def _registered() -> Consumer:
    if _consumer is None:
        raise ImproperlyConfigured("no app consumes stored articles: add 'incidents' to INSTALLED_APPS")
    return _consumer
