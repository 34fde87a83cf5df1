"""/healthz against the real database and broker (outagehub/healthz.py): JSON, 200 or 503, cheap, no secrets."""

import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Heartbeat, Source
from articles.tasks import enqueue_due_sources
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

UNRESOLVED = ("could not resolve host 'status.example.invalid' (Name or service not known); "
              "check the host name in the URL")


def healthz(client, **headers):
    response = client.get("/healthz", **headers)
    assert response["Content-Type"] == "application/json" and response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def statuses(answer: dict) -> dict[str, str]:
    return {name: check["status"] for name, check in answer["checks"].items()}


def working_system():
    """A source fetched a minute ago, nothing due, and a beat tick run by the real dispatch task."""
    SourceFactory(health=Source.Health.OK, last_success_at=timezone.now() - timedelta(minutes=1),
                  next_fetch_at=timezone.now() + timedelta(minutes=4))
    assert enqueue_due_sources() == 0  # stamps beat's heartbeat; nothing is due, so nothing is queued


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_a_working_system_answers_200_healthy_with_every_check(client):
    working_system()
    status, answer = healthz(client)
    assert status == 200 and answer["status"] == "healthy", answer
    assert statuses(answer) == {"database": "ok", "broker": "ok", "network": "ok", "last_fetch": "ok",
                                "oldest_due": "ok", "beat": "ok"}
    assert 60 <= answer["checks"]["last_fetch"]["age_seconds"] < 3600


def test_the_dispatch_task_stamps_the_heartbeat_on_every_tick():
    enqueue_due_sources()
    first = Heartbeat.objects.get(name=Heartbeat.DISPATCH).at
    enqueue_due_sources()
    assert Heartbeat.objects.get(name=Heartbeat.DISPATCH).at >= first
    assert Heartbeat.objects.count() == 1


def test_it_costs_two_queries(client, django_assert_num_queries):
    working_system()
    with django_assert_num_queries(2):
        assert healthz(client)[0] == 200


def test_beat_never_having_run_is_a_503_that_says_so(client):
    SourceFactory(health=Source.Health.OK, last_success_at=timezone.now())
    status, answer = healthz(client)
    assert status == 503 and answer["status"] == "unhealthy"
    assert statuses(answer)["beat"] == "failing"
    assert answer["checks"]["beat"]["detail"] == "the dispatch task has never run: start beat and a worker"


def test_a_source_left_due_too_long_is_a_503(client, settings):
    working_system()
    SourceFactory(next_fetch_at=timezone.now() - timedelta(seconds=settings.OUTAGEHUB_HEALTH_MAX_OVERDUE + 60))
    status, answer = healthz(client)
    assert status == 503 and statuses(answer)["oldest_due"] == "failing"


def test_an_unreachable_broker_is_a_503_without_its_address_or_password(client, settings):
    working_system()
    settings.CELERY_BROKER_URL = f"redis://:s3cret-password@127.0.0.1:{dead_port()}/0"
    if hasattr(settings, "CELERY_BROKER_TRANSPORT"):
        del settings.CELERY_BROKER_TRANSPORT  # the suite's filesystem transport would override the URL
    status, answer = healthz(client)
    assert status == 503 and statuses(answer)["broker"] == "failing"
    assert answer["checks"]["broker"]["detail"].startswith("not reachable (")
    body = json.dumps(answer)
    assert "s3cret" not in body and "127.0.0.1" not in body and "redis" not in body


def test_no_network_shows_as_a_failing_network_check(client):
    working_system()
    Source.objects.update(last_success_at=timezone.now() - timedelta(minutes=5))
    for _ in range(3):
        SourceFactory(health=Source.Health.FAILING, last_error=UNRESOLVED,
                      last_success_at=timezone.now() - timedelta(minutes=5))
    Source.objects.filter(health=Source.Health.OK).update(health=Source.Health.FAILING, last_error=UNRESOLVED)
    status, answer = healthz(client)
    assert status == 503 and statuses(answer)["network"] == "failing"
    assert answer["checks"]["network"]["detail"].startswith(
        "no network: name resolution failed for every source since ")


def test_a_probe_by_any_host_over_plain_http_is_answered_while_pages_keep_both_checks(client, settings):
    settings.ALLOWED_HOSTS = ["outagehub.example"]
    settings.SECURE_SSL_REDIRECT = True
    working_system()
    status, answer = healthz(client, HTTP_HOST="10.0.0.5:8000")
    assert status == 200 and answer["status"] == "healthy"
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # not an allowed host
    assert client.get("/", HTTP_HOST="outagehub.example").status_code == 301  # to https
    assert client.get("/sources", HTTP_HOST="outagehub.example").status_code == 301
