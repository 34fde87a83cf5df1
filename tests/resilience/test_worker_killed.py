"""A whole worker (main process and pool) SIGKILLed at a known point: nothing is lost, nothing doubled.

What is lost with the worker depends on the broker: Redis keeps the messages it had handed out parked
for the visibility timeout, the filesystem transport forgets them. Either way the database says what is
left (a claimed source, pending articles), and beat's reaper and sweep hand it on again."""

import re
import sqlite3
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles import pending
from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article, Source
from articles.tasks import fetch_source, hand_on
from incidents.pipeline import ASSIGNMENT_LOCK_ID
from tests.httpserver import FIXTURES_DIR
from tests.resilience import corpus
from tests.resilience.services import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]


def test_a_worker_killed_mid_fetch_loses_no_article_and_doubles_none(cluster, gated_server, capsys):
    sources = corpus.add_sources(gated_server)
    held = "/github.atom"
    gated_server.hold(held)
    worker = cluster.worker("fetcher", concurrency=2)
    corpus.fetch(sources["/emma.json"], sources["/twilio.json"])
    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == 2, "two sources fetched",
             processes=(worker,))
    corpus.fetch(sources[held])
    wait_for(lambda: gated_server.arrived(held), "the worker to be inside the held fetch", processes=(worker,))

    worker.kill()  # the whole worker, as a host crash or the OOM killer of its cgroup would
    gated_server.release(held)
    left = Article.objects.filter(pending_since__isnull=False).count()
    assert Source.objects.filter(claimed_at__isnull=False).count() == 1  # the dead worker's claim

    assert corpus.sweep_as_beat_would(after=timedelta(0)).articles == 0, "the sweep waits for its bound"
    recovered = corpus.sweep_as_beat_would()
    restarted = cluster.worker("fetcher-again", concurrency=2)
    wait_for(corpus.settled, "every source fetched and every article processed after the restart",
             processes=(restarted,))

    corpus.assert_stored_once_and_placed_once()
    assert recovered.sources == 1
    assert gated_server.hits(held) == 2  # the killed fetch, and the one after the claim was freed
    with capsys.disabled():
        print(f"\n[resilience] killed mid-fetch: {left} articles pending at the kill, sweep handed on "
              f"{recovered.articles}, reaper freed {recovered.sources} source")


def test_a_fetch_that_finds_its_items_stored_still_hands_on_those_never_processed(cluster, gated_server):
    """The state a kill between storing and handing on leaves (the issue's 18 and 43 lost articles): the
    items are stored, the claim still holds the killed task's id, nothing reached the pipeline. The
    redelivered task (same id) finds every item unchanged and must still hand them on."""
    sources = corpus.add_sources(gated_server, corpus.STATUS_PAGES[:1])
    recorded, source = corpus.STATUS_PAGES[0], sources["/emma.json"]
    task_id = str(uuid.uuid4())
    items = parse_payload(recorded.kind, (FIXTURES_DIR / recorded.fixture).read_bytes(),
                          url=source.url, content_type=recorded.content_type)
    store_items(source, items, fetched_at=timezone.now())
    Source.objects.filter(pk=source.pk).update(claimed_at=timezone.now(), claim_token=task_id, pending_attempts=1)

    worker = cluster.worker("redelivery")
    fetch_source.apply_async((source.pk,), task_id=task_id)
    wait_for(lambda: corpus.settled(corpus.STATUS_PAGES[:1]), "the stored articles to be processed",
             processes=(worker,))
    corpus.assert_stored_once_and_placed_once(corpus.STATUS_PAGES[:1])


def _received(worker) -> int:
    return len(re.findall(r"process_article\[[^\]]+\] received", worker.log()))


def _assignment_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                       [ASSIGNMENT_LOCK_ID])
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_clustering_leaves_every_article_in_exactly_one_incident(cluster, gated_server, capsys):
    sources = corpus.add_sources(gated_server)
    for recorded in corpus.STATUS_PAGES:  # stored here; the worker only clusters
        source = sources[recorded.path]
        store_items(source, parse_payload(recorded.kind, (FIXTURES_DIR / recorded.fixture).read_bytes(),
                                          url=source.url, content_type=recorded.content_type), timezone.now())
    total = Article.objects.count()
    worker = cluster.worker("clusterer")
    hand_on(pending.of_sources(list(Source.objects.values_list("pk", flat=True))))
    wait_for(lambda: Article.objects.filter(pending_since__isnull=True).count() >= 5, "five articles placed",
             processes=(worker,))

    # Hold the worker inside clustering: it cannot take the assignment lock (PostgreSQL's advisory lock)
    # or, on SQLite, the database's write lock, which this test now holds.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ASSIGNMENT_LOCK_ID])
        wait_for(lambda: _assignment_waiters() == 1, "the worker to wait for the assignment lock",
                 processes=(worker,))
    else:
        received = _received(worker)
        writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        # With one pool process and a prefetch of one, a task is received only once the one before is
        # finished: the next one is running and cannot commit.
        wait_for(lambda: _received(worker) > received, "the worker to take the next article",
                 processes=(worker,))
    worker.kill()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ASSIGNMENT_LOCK_ID])
    else:
        writer.execute("ROLLBACK")
        writer.close()
    placed_at_kill = Article.objects.filter(pending_since__isnull=True).count()

    recovered = corpus.sweep_as_beat_would()
    restarted = cluster.worker("clusterer-again")
    wait_for(corpus.settled, "every article processed after the restart", processes=(restarted,))
    corpus.assert_stored_once_and_placed_once()
    with capsys.disabled():
        print(f"\n[resilience] killed mid-clustering: {placed_at_kill} of {total} placed at the kill, "
              f"sweep handed on {recovered.articles}")
