"""When an incident's summary is next written, after a change. Pure arithmetic.

Issue 15 measured a summary 108 s p50 / 201 s max behind the status post that changed it: every
change waited the whole debounce (60 s) and then the beat's next summary tick (30 s). The debounce is
there so a burst of sources costs one rewrite, not to delay the first: so a change is written a few
seconds after it (SETTLE, time for the rest of one poll's articles to land), unless the current
version is younger than the debounce, when it waits until the debounce has passed since that one.
"""

from datetime import datetime, timedelta

SETTLE = timedelta(seconds=5)


def summary_due_at(changed_at: datetime, last_written_at: datetime | None, debounce: timedelta) -> datetime:
    """When to write the summary of an incident that changed at `changed_at`, whose current version
    was written at `last_written_at` (None: it has none): at most one version per `debounce`, and
    never sooner than SETTLE after the change."""
    due = changed_at + min(SETTLE, debounce)
    if last_written_at is not None:
        due = max(due, last_written_at + debounce)
    return due
