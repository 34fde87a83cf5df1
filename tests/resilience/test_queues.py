"""Each kind of work has its own queue in the real broker, and a worker started without -Q (as
`make run` starts it) consumes every one of them."""

import re

import pytest

from articles import tasks as article_tasks
from incidents import tasks as incident_tasks
from outagehub.celery import QUEUES, app
from tests.resilience.services import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]


def _drain(queue_name: str) -> list[str]:
    """The names of the tasks waiting in one queue of the broker, taken off it."""
    names = []
    with app.connection_for_write() as connection:
        queue = app.amqp.queues[queue_name](connection.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            names.append(message.headers["task"])
    return names


def test_each_task_is_published_to_the_queue_of_its_kind(cluster, settings):
    article_tasks.fetch_source.delay(1)
    article_tasks.scrape_article.delay(1)
    article_tasks.enqueue_due_sources.delay()
    article_tasks.reap_stale_claims.delay()
    article_tasks.sweep_pending_articles.delay()
    incident_tasks.process_article.delay(1)
    incident_tasks.enqueue_due_summaries.delay()
    incident_tasks.write_summary.delay(1)
    settings.OUTAGEHUB_SUMMARY_BACKEND = "llm"  # a slow endpoint must not hold the offline summaries
    incident_tasks.write_summary.delay(2)
    incident_tasks.enqueue_due_alerts.delay()
    incident_tasks.announce_incident.delay(1)
    incident_tasks.deliver_alerts.delay([1])
    incident_tasks.deliver_alert_digest.delay(1)
    incident_tasks.confirm_watch.delay(1)

    assert sorted(_drain("fetch")) == ["articles.tasks.enqueue_due_sources", "articles.tasks.fetch_source",
                                       "articles.tasks.reap_stale_claims", "articles.tasks.scrape_article"]
    assert sorted(_drain("pipeline")) == ["articles.tasks.sweep_pending_articles", "incidents.tasks.process_article"]
    assert sorted(_drain("summaries")) == ["incidents.tasks.enqueue_due_summaries", "incidents.tasks.write_summary"]
    assert _drain("llm") == ["incidents.tasks.write_summary"]
    assert sorted(_drain("alerts")) == ["incidents.tasks.announce_incident", "incidents.tasks.confirm_watch",
                                        "incidents.tasks.deliver_alert_digest", "incidents.tasks.deliver_alerts",
                                        "incidents.tasks.enqueue_due_alerts"]
    assert _drain("celery") == []


def test_a_worker_started_without_queues_consumes_every_queue(cluster):
    worker = cluster.worker("everything")
    for queue in QUEUES:
        article_tasks.reap_stale_claims.apply_async(queue=queue)
    wait_for(lambda: len(re.findall(r"reap_stale_claims\[[^\]]+\] succeeded", worker.log())) == len(QUEUES),
             f"the worker to run one task from each of {QUEUES}", processes=(worker,))
    banner = worker.log()
    assert all(re.search(rf"\.> {queue}\s+exchange=", banner) for queue in QUEUES), banner[:3000]
