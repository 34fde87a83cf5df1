"""Redis, without persistence, restarted while tasks are queued and a fetch is under way: every message
in it is gone, and the fetch cannot publish what it stored. Workers reconnect; the articles, pending in
the database, are handed on by the sweep."""

import pytest

from articles.models import Article, Source
from tests.resilience import corpus
from tests.resilience.services import health, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]

CORPUS = (*corpus.STATUS_PAGES, corpus.ONE_MORE)


def test_a_redis_restart_loses_queued_tasks_and_the_sweep_recovers_every_article(
        redis_server, cluster, gated_server, capsys, settings):
    # /healthz probes the Redis this test kills (not the filesystem transport of a SQLite run)
    settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT = redis_server.url, None
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    sources = corpus.add_sources(gated_server, CORPUS)
    fetcher = cluster.worker("fetcher", queues="fetch")  # the pipeline's messages wait in Redis
    corpus.fetch(sources["/emma.json"], sources["/twilio.json"])
    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == 2, "two sources fetched",
             processes=(fetcher,))
    queued = Article.objects.filter(pending_since__isnull=False).count()
    held = "/github.atom"
    gated_server.hold(held)
    corpus.fetch(sources[held])
    wait_for(lambda: gated_server.arrived(held), "the worker to be inside the held fetch", processes=(fetcher,))

    assert health()[1]["broker"] == "ok"
    redis_server.kill()  # every queued message is lost with it
    status, checks = health()
    assert status == 503 and checks["broker"] != "ok"  # /healthz shows the outage
    gated_server.release(held)
    # The fetch stores its items, then cannot publish them: they stay pending, the task does not fail.
    wait_for(lambda: "the broker refused a message" in fetcher.log(), "the fetch to give up publishing",
             processes=(fetcher,))
    wait_for(lambda: not Source.objects.filter(claimed_at__isnull=False).exists(), "the fetch to finish",
             processes=(fetcher,))
    unpublished = Article.objects.filter(source=sources[held], pending_since__isnull=False).count()
    redis_server.start()
    assert health()[1]["broker"] == "ok"  # and its end

    corpus.fetch(sources[corpus.ONE_MORE.path])
    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == len(CORPUS),
             "the fetching worker to reconnect to the restarted Redis and fetch again", processes=(fetcher,))
    recovered = corpus.sweep_as_beat_would()
    pipeline = cluster.worker("pipeline", queues="pipeline")
    wait_for(lambda: corpus.settled(CORPUS), "every article processed after the restart",
             processes=(fetcher, pipeline))
    corpus.assert_stored_once_and_placed_once(CORPUS)
    assert unpublished == corpus.STATUS_PAGES[2].items()
    assert recovered.articles >= queued + unpublished
    with capsys.disabled():
        print(f"\n[resilience] Redis restarted: {queued} queued messages lost, {unpublished} articles never "
              f"published; the sweep handed on {recovered.articles}")
