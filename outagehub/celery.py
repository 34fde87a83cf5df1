import os

from celery import Celery
from django.conf import settings
from django.db import OperationalError
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outagehub.settings")

app = Celery("outagehub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One queue per kind of work, so a burst of new articles never delays the next fetch of a status page,
# and a slow LLM summary never holds a worker that fetches. A worker started without -Q consumes every
# queue listed here (`make run`); in production give each its own workers, e.g. `-Q fetch`.
# alerts: announcing and sending them; a receiver that times out holds only alert workers.
FETCH_QUEUE, PIPELINE_QUEUE, SUMMARY_QUEUE, LLM_QUEUE, ALERTS_QUEUE = "fetch", "pipeline", "summaries", "llm", "alerts"
QUEUES = (FETCH_QUEUE, PIPELINE_QUEUE, SUMMARY_QUEUE, LLM_QUEUE, ALERTS_QUEUE, "celery")  # celery: anything unrouted
TASK_QUEUES = {
    "articles.tasks.fetch_source": FETCH_QUEUE,
    "articles.tasks.scrape_article": FETCH_QUEUE,
    "articles.tasks.enqueue_due_sources": FETCH_QUEUE,
    "articles.tasks.reap_stale_claims": FETCH_QUEUE,
    "articles.tasks.sweep_pending_articles": PIPELINE_QUEUE,
    "incidents.tasks.process_article": PIPELINE_QUEUE,
    "incidents.tasks.quieten_incidents": PIPELINE_QUEUE,
    "incidents.tasks.enqueue_due_summaries": SUMMARY_QUEUE,
    "incidents.tasks.write_summary": SUMMARY_QUEUE,
    "incidents.tasks.enqueue_due_alerts": ALERTS_QUEUE,
    "incidents.tasks.announce_incident": ALERTS_QUEUE,
    "incidents.tasks.deliver_alerts": ALERTS_QUEUE,
    "incidents.tasks.deliver_alert_digest": ALERTS_QUEUE,
    "incidents.tasks.confirm_watch": ALERTS_QUEUE,
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """The queue of a task by its name; summaries go to the LLM's own queue when an endpoint writes them."""
    queue = TASK_QUEUES.get(name)
    if queue == SUMMARY_QUEUE and name.endswith(".write_summary") and settings.OUTAGEHUB_SUMMARY_BACKEND == "llm":
        return {"queue": LLM_QUEUE}
    return {"queue": queue} if queue else None


app.conf.task_queues = [Queue(name, routing_key=name) for name in QUEUES]
app.conf.task_default_queue = "celery"
app.conf.task_routes = (route_task,)

# Retry only what is worth retrying (a locked or restarting database); fetch failures are recorded
# on the source and retried by its own backoff instead. Backoff stays far below the broker's
# visibility timeout (tests/outagehub/test_celery_settings.py checks it).
RETRY_POLICY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
}
