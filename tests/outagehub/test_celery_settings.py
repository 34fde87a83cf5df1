"""Task timing must stay inside the broker's visibility timeout, or Redis hands a task that is
still running to a second worker; and a killed worker must not lose its task."""

from django.conf import settings

from articles import tasks
from articles.polling import claim_stale_after
from incidents.tasks import process_article
from outagehub.celery import QUEUES, RETRY_POLICY, TASK_QUEUES, app


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_every_time_limit_backoff_and_lease_stays_below_the_visibility_timeout():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility
    # A retry is a new message, held unacknowledged through its countdown and then its run.
    assert RETRY_POLICY["retry_backoff_max"] + app.conf.task_time_limit < visibility
    assert claim_stale_after().total_seconds() < visibility


def test_a_killed_worker_parks_its_tasks_for_minutes_not_an_hour():
    assert app.conf.broker_transport_options["visibility_timeout"] <= 300
    assert app.conf.worker_prefetch_multiplier == 1  # a worker holds no more tasks than it runs


def test_pending_work_is_handed_on_again_only_after_any_task_would_have_finished():
    assert app.conf.task_time_limit < settings.OUTAGEHUB_REDELIVER_AFTER


def test_each_kind_of_work_has_its_own_queue(settings):
    def queue_of(name):
        return app.amqp.router.route({}, name)["queue"].name

    assert {queue_of("articles.tasks.fetch_source"), queue_of("articles.tasks.scrape_article"),
            queue_of("articles.tasks.enqueue_due_sources")} == {"fetch"}
    assert queue_of("incidents.tasks.process_article") == "pipeline"
    assert queue_of("incidents.tasks.write_summary") == "summaries"
    settings.OUTAGEHUB_SUMMARY_BACKEND = "llm"
    assert queue_of("incidents.tasks.write_summary") == "llm"
    # What a worker without -Q consumes: the configured queues (app.amqp.queues also holds any a test
    # declared on the fly in this process).
    assert {queue.name for queue in app.conf.task_queues} == set(QUEUES)


def test_every_beat_task_exists_and_has_a_queue():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        assert entry["task"] in TASK_QUEUES


def test_beat_entries_expire_before_their_next_run():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["options"]["expires"] < entry["schedule"], name


def test_the_tasks_use_the_retry_policy():
    for task in (tasks.fetch_source, tasks.scrape_article, process_article):
        assert task.max_retries == RETRY_POLICY["max_retries"]
        assert task.retry_backoff_max == RETRY_POLICY["retry_backoff_max"]
