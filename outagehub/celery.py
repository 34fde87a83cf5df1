import os

from celery import Celery
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outagehub.settings")

app = Celery("outagehub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
