"""PostgreSQL crashes (stopped with -m immediate) and comes back while workers fetch and cluster: the
workers reconnect, the tasks that failed meanwhile are retried, and what is still pending is swept.
On a cluster this test starts itself, so the test database of the suite is never the one that dies."""

import contextlib

import pytest
from django.core.management import call_command
from django.db import connections

from articles.models import Article, Source
from outagehub.env import database_from_url
from tests.resilience import corpus
from tests.resilience.services import PostgresServer, health, wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]


@contextlib.contextmanager
def default_database(url: str, tmp_path):
    """This process's default database is `url` for a while: the ORM, the helpers and the workers all
    talk to the cluster the test controls."""
    saved_settings, saved_connection = connections.settings["default"], connections["default"]
    connections.settings["default"] = connections.configure_settings(
        {"default": database_from_url(url, tmp_path, tmp_path)})["default"]
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = saved_settings
        connections["default"] = saved_connection


@pytest.fixture
def postgres(transactional_db, tmp_path):
    why_not = PostgresServer.unavailable()
    if why_not:
        pytest.skip(f"cannot start a PostgreSQL of the test's own: {why_not}")
    server = PostgresServer().init().start()
    try:
        server.create_database()
        with default_database(server.url, tmp_path):
            call_command("migrate", verbosity=0)
            yield server
    finally:
        server.remove()


def test_workers_reconnect_after_a_postgresql_crash_and_nothing_is_lost(postgres, cluster, gated_server, capsys):
    sources = corpus.add_sources(gated_server)
    env = {"DATABASE_URL": postgres.url}
    worker = cluster.worker("worker", concurrency=2, **env)
    corpus.fetch(sources["/emma.json"], sources["/twilio.json"])
    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == 2, "two sources fetched",
             processes=(worker,))
    held = "/github.atom"
    gated_server.hold(held)
    corpus.fetch(sources[held])
    wait_for(lambda: gated_server.arrived(held), "the worker to be inside the held fetch", processes=(worker,))

    connections["default"].close()
    postgres.stop("immediate")  # a crash: every connection drops, nothing shuts down cleanly
    status, checks = health()
    connections["default"].close()  # the probe's failed connection is not reused after the restart
    assert status == 503 and checks["database"] != "ok"  # /healthz shows the outage
    gated_server.release(held)
    wait_for(lambda: "Retry in" in worker.log(), "a task to fail on the lost database and be retried",
             processes=(worker,))
    postgres.start()

    wait_for(lambda: Source.objects.filter(last_success_at__isnull=False).count() == 3
             and not Source.objects.filter(claimed_at__isnull=False).exists(),
             "the worker to reconnect and finish every fetch", processes=(worker,))
    assert health()[1]["database"] == "ok"  # and its end
    recovered = corpus.sweep_as_beat_would()
    wait_for(corpus.settled, "every article processed after the restart", processes=(worker,))
    corpus.assert_stored_once_and_placed_once()
    retried = worker.log().count("Retry in")
    with capsys.disabled():
        print(f"\n[resilience] PostgreSQL crashed: {retried} tasks retried, the sweep handed on "
              f"{recovered.articles} of {Article.objects.count()} articles")
