"""Task timing must stay inside the broker's visibility timeout, or Redis hands a task that is
still running to a second worker; and a killed worker must not lose its task."""

from django.conf import settings

from articles import tasks
from articles.polling import claim_stale_after
from incidents.tasks import process_article
from outagehub.celery import RETRY_POLICY, app


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_every_time_limit_backoff_and_lease_stays_below_the_visibility_timeout():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility
    assert RETRY_POLICY["retry_backoff_max"] < visibility
    assert RETRY_POLICY["retry_backoff_max"] * RETRY_POLICY["max_retries"] < visibility
    assert claim_stale_after().total_seconds() < visibility


def test_beat_entries_expire_before_their_next_run():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["options"]["expires"] < entry["schedule"], name


def test_the_tasks_use_the_retry_policy():
    for task in (tasks.fetch_source, tasks.scrape_article, process_article):
        assert task.max_retries == RETRY_POLICY["max_retries"]
        assert task.retry_backoff_max == RETRY_POLICY["retry_backoff_max"]
