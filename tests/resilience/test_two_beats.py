"""Two beat processes started by mistake: each dispatches every tick, and still no source is fetched
twice in one interval. Each due source is taken by a conditional UPDATE on its due time (a lease), so
only one dispatcher wins it (articles/dispatch.py)."""

import re

import pytest
from django.conf import settings
from django.db.models import Count

from articles.models import FetchAttempt, Source
from tests.resilience import corpus
from tests.resilience.services import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]

# Beat entries come from the environment: dispatch at its shortest period, every other entry (each has an
# OUTAGEHUB_*_PERIOD, 0 turns it off) off, those added later included.
ONLY_DISPATCH = {**{name: "0" for name in dir(settings) if name.startswith("OUTAGEHUB_") and name.endswith("_PERIOD")},
                 "OUTAGEHUB_DISPATCH_PERIOD": "10"}


def _ticks(beat) -> int:
    return len(re.findall(r"Sending due task (\S+)", beat.log()))


def _dispatches_done(worker) -> int:
    """Dispatch tasks the worker ran, or dropped because they expired before it got to them."""
    return len(re.findall(r"enqueue_due_sources\[[^\]]+\] (?:succeeded|expired)|revoked.*enqueue_due_sources",
                          worker.log()))


def test_two_beats_never_fetch_a_source_twice_in_one_interval(cluster, gated_server, capsys):
    sources = corpus.add_sources(gated_server)
    worker = cluster.worker("worker", concurrency=2)
    beats = [cluster.beat(f"beat-{n}", **ONLY_DISPATCH) for n in range(2)]
    processes = (worker, *beats)
    # Started together, the two beats tick together: the race a lease must settle.
    wait_for(lambda: all(_ticks(beat) >= 1 for beat in beats), "each beat to dispatch", 90, processes)
    wait_for(lambda: _dispatches_done(worker) >= sum(map(_ticks, beats))
             and Source.objects.filter(last_success_at__isnull=False).count() == len(sources)
             and not Source.objects.filter(claimed_at__isnull=False).exists(),
             "the worker to run every dispatch and fetch", processes=processes)

    assert all(set(re.findall(r"Sending due task (\S+)", beat.log())) == {"enqueue-due-sources"} for beat in beats)
    per_source = dict(FetchAttempt.objects.values_list("source__url").annotate(n=Count("pk")))
    assert per_source == {source.url: 1 for source in sources.values()}
    assert all(gated_server.hits(path) == 1 for path in sources)
    with capsys.disabled():
        print(f"\n[resilience] two beats, {sum(map(_ticks, beats))} dispatches: each of {len(sources)} sources "
              "fetched once")
