"""A real Celery worker process, on the configured broker and database, fetching from the local
HTTP server. In CI this runs twice: SQLite + filesystem broker, then PostgreSQL + Redis."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, FetchAttempt, Source
from articles.tasks import fetch_source
from incidents.models import Incident
from incidents.pipeline import process_article
from incidents.summaries.service import lease_due
from incidents.tasks import write_summary
from tests.factories import ItemFactory, SourceFactory, stored

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.fail(f"no worker integration test for {connection.vendor}")


@pytest.fixture
def worker_queue(settings):
    """Start `celery worker` on a queue of its own; yield the queue name and the process."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "OUTAGEHUB_SCRAPE_TEASERS": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "outagehub", "worker", "--pool=prefork", "--concurrency=1",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        yield queue, process
    finally:
        os.killpg(process.pid, signal.SIGQUIT)  # cold shutdown: the test is over, nothing to finish
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_for(condition, process, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited early:\n{process.stdout.read()}")
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    pytest.fail(f"timed out waiting for the worker; its log:\n{process.stdout.read()}")


def _worker_child_pid(process) -> int:
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False)
    pids = [int(pid) for pid in children.stdout.split()]
    assert pids, "the prefork worker has no child process"
    return pids[0]


def test_a_real_worker_fetches_a_feed_into_the_database(worker_queue, http_server):
    queue, process = worker_queue
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss",
                           content_type="application/rss+xml")
    source = SourceFactory(url=http_server.url("/ars.rss"))
    fetch_source.apply_async((source.pk,), queue=queue)
    _wait_for(lambda: FetchAttempt.objects.filter(source=source).exists(), process)
    source.refresh_from_db()
    assert source.health == "ok", source.last_error
    assert Article.objects.filter(source=source).count() == 20


def test_a_task_whose_worker_process_is_killed_is_run_again_not_lost(worker_queue, http_server):
    queue, process = worker_queue
    source = SourceFactory(url=http_server.url("/misbehave/slow-headers?seconds=4"))
    fetch_source.apply_async((source.pk,), queue=queue)
    _wait_for(lambda: Source.objects.filter(pk=source.pk, claimed_at__isnull=False).exists(), process)
    os.kill(_worker_child_pid(process), signal.SIGKILL)  # as the kernel's OOM killer would
    # The broker redelivers the task; the rerun takes over its own claim and finishes the poll.
    _wait_for(lambda: FetchAttempt.objects.filter(source=source).exists(), process)
    source.refresh_from_db()
    assert source.claimed_at is None and source.pending_attempts == 0
    assert FetchAttempt.objects.filter(source=source).count() == 1


def test_a_real_worker_writes_a_due_summary(worker_queue):
    queue, process = worker_queue
    press = SourceFactory(name="Ars Technica")
    item = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike")
    incident_id = process_article(stored(press, item).pk).incident_id
    [(leased_id, lease)] = lease_due(now=timezone.now() + timedelta(hours=1))
    assert leased_id == incident_id
    write_summary.apply_async((incident_id, lease.isoformat()), queue=queue)
    _wait_for(lambda: Incident.objects.filter(pk=incident_id, summary__isnull=False).exists(), process)
    incident = Incident.objects.get(pk=incident_id)
    assert incident.summary_due_at is None and 3 <= len(incident.summary.takeaways) <= 6
