"""Sending: claimed once, retried for 5xx and timeouts but never for a 4xx, paused after repeated failures
with the owner told, held for one digest past the rate limit; fan-out in a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.alerts import delivery, service
from incidents.alerts.models import AlertEvent, Delivery, Watch
from tests.factories import IncidentFactory, MembershipFactory, WatchFactory

pytestmark = pytest.mark.django_db


def announced(**incident_fields):
    """A new incident of the watched vendor, announced: its deliveries' ids."""
    incident = IncidentFactory(**incident_fields)
    MembershipFactory(incident=incident)
    return incident, service.announce(incident.pk)


@pytest.fixture
def hook(http_server):
    def make(path="/hook", **fields):
        return WatchFactory(url=http_server.url(path), everything=True, **fields)
    return make


def test_a_receiver_that_answers_500_then_200_gets_the_message_once(http_server, hook):
    http_server.serve_sequence("/hook", [{"body": "down", "status": 500}, {"body": "ok"}])
    watch = hook()
    _, (delivery_id,) = announced()
    assert delivery.deliver(delivery_id) == "retry"
    row = Delivery.objects.get(pk=delivery_id)
    assert row.status == "pending" and row.response_code == 500 and row.next_attempt_at > timezone.now()
    assert delivery.deliver(delivery_id) == "taken"  # not due yet: a second message does not send it early
    Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    assert delivery.deliver(delivery_id) == "sent"
    assert delivery.deliver(delivery_id) == "taken"  # the broker redelivers the task: nothing more is sent
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code, row.error) == ("sent", 2, 200, "")
    bodies = [body for _, body in http_server.posts("/hook")]
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same message, delivered once
    assert Watch.objects.get(pk=watch.pk).consecutive_failures == 0


def test_a_4xx_is_not_retried_and_is_logged(http_server, hook):
    http_server.serve("/hook", "no such hook", status=404)
    hook()
    _, (delivery_id,) = announced()
    assert delivery.deliver(delivery_id) == "failed"
    row = Delivery.objects.get(pk=delivery_id)
    assert (row.status, row.attempts, row.response_code) == ("failed", 1, 404) and "HTTP 404" in row.error
    assert "the webhook's address is wrong" in row.error and "feed" not in row.error  # said of a webhook
    assert row.duration_ms is not None and len(http_server.posts("/hook")) == 1


def test_a_watch_that_keeps_failing_is_paused_with_a_reason_and_its_owner_told(http_server, hook, settings):
    settings.OUTAGEHUB_ALERT_PAUSE_AFTER = 2
    http_server.serve("/hook", "gone", status=410)
    watch = hook(owner_email="owner@example.com")
    for _ in range(2):
        _, (delivery_id,) = announced()
        delivery.deliver(delivery_id)
    watch.refresh_from_db()
    assert watch.state == "paused" and watch.paused_reason.startswith("Paused after 2 failed deliveries in a row")
    assert "HTTP 410" in watch.paused_reason
    assert [m.to for m in mail.outbox] == [["owner@example.com"]] and "paused" in mail.outbox[0].subject
    _, deliveries = announced()
    assert deliveries == []  # a paused watch is not fanned out to


def test_past_the_rate_limit_events_wait_and_go_as_one_digest(http_server, hook, settings):
    settings.OUTAGEHUB_ALERT_RATE_LIMIT = 2
    http_server.serve("/hook", "ok")
    watch = hook()
    ids = [announced()[1][0] for _ in range(4)]
    assert [delivery.deliver(i) for i in ids] == ["sent", "sent", "held", "held"]
    assert delivery.deliver_digest(watch.pk) == "taken"  # the window has not ended
    Delivery.objects.filter(status="held").update(next_attempt_at=timezone.now())
    assert delivery.deliver_digest(watch.pk) == "sent"
    bodies = [json.loads(body) for _, body in http_server.posts("/hook")]
    assert [b["type"] for b in bodies] == ["alert", "alert", "digest"]
    assert [a["event_id"] for a in bodies[2]["alerts"]] == list(
        Delivery.objects.filter(pk__in=ids[2:]).order_by("pk").values_list("event_id", flat=True))
    assert set(Delivery.objects.filter(pk__in=ids[2:]).values_list("status", "in_digest")) == {("sent", True)}


def test_fan_out_costs_the_same_queries_for_one_watch_or_many(hook):
    def queries_for(watches: int) -> int:
        for _ in range(watches):
            hook()
        incident = IncidentFactory()
        MembershipFactory(incident=incident)
        with CaptureQueriesContext(connection) as captured:
            created = service.announce(incident.pk)
        assert len(created) == Watch.objects.count()
        return len(captured)

    few = queries_for(1)
    # 80 more: within one insert's batch on SQLite (999 parameters); PostgreSQL takes thousands per insert
    assert queries_for(80) == few
    assert AlertEvent.objects.count() == 2


def test_email_alerts_carry_an_unsubscribe_link_that_works(client):
    watch = WatchFactory(destination="email", url="", email="me@example.com", everything=True)
    _, (delivery_id,) = announced()
    assert delivery.deliver(delivery_id) == "sent"
    message = mail.outbox[0]
    link = delivery.unsubscribe_url(watch)
    assert link in message.body and link in message.alternatives[0][0] and message.extra_headers["List-Unsubscribe"]
    path = link.removeprefix("http://localhost:8000")
    assert client.get(path).status_code == 200 and Watch.objects.get(pk=watch.pk).state == "active"  # GET asks
    client.post(path)
    assert Watch.objects.get(pk=watch.pk).state == "unsubscribed"
    _, deliveries = announced()
    assert deliveries == []


def test_the_beat_takes_up_lost_work_and_gives_up_a_send_a_dead_worker_left(hook, settings):
    hook()
    incident, (delivery_id,) = announced()
    now = timezone.now()
    later = now + timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER + 1)
    assert service.overdue_deliveries(now) == [] and service.overdue_deliveries(later) == [delivery_id]
    Delivery.objects.filter(pk=delivery_id).update(status="sending", claimed_at=now)  # the worker died here
    assert service.give_up_lost_sends(now) == 0 and service.give_up_lost_sends(later) == 1
    row = Delivery.objects.get(pk=delivery_id)
    assert row.status == "failed" and "not sent again" in row.error
    assert delivery.deliver(delivery_id) == "taken"
    service.mark_due([incident.pk])
    assert service.lease_due(now + timedelta(seconds=1)) == [incident.pk]
    assert service.lease_due(now + timedelta(seconds=2)) == []  # leased: not handed out twice
    assert service.announce(incident.pk) == []  # announced already
