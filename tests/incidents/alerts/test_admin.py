"""Editors manage watches in admin: a webhook on a private address is refused there too; the delivery log
shows each send's status, duration, response code and error; a paused watch is resumed by an action."""

import pytest
from django.urls import reverse

from incidents.alerts.models import Delivery, Watch
from tests.factories import IncidentFactory, MembershipFactory, WatchFactory

pytestmark = pytest.mark.django_db


def test_an_editor_adds_a_watch_and_a_private_webhook_is_refused(admin_client, settings, cloudflare):
    url = reverse("admin:incidents_watch_add")
    form = {"destination": "slack", "url": "https://hooks.slack.com/services/T0/B0/x", "state": "active",
            "vendors": [cloudflare.pk], "min_severity": 3, "on_opened": "on", "on_resolved": "on"}
    assert admin_client.post(url, form).status_code == 302
    watch = Watch.objects.get()
    assert (watch.destination, watch.on_opened, watch.on_acknowledged, len(watch.token)) == ("slack", True, False, 32)
    settings.OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS = False
    refused = admin_client.post(url, {**form, "url": "http://169.254.169.254/latest"})
    assert refused.status_code == 200 and "Alerts cannot be sent there: refused" in refused.content.decode()
    assert Watch.objects.count() == 1


def test_the_delivery_log_and_resuming_a_paused_watch(admin_client):
    watch = WatchFactory(everything=True, state="paused", consecutive_failures=5, paused_reason="Paused after 5")
    incident = IncidentFactory(title="Log entry incident")
    MembershipFactory(incident=incident)
    Delivery.objects.create(watch=watch, event=_event(incident), status="failed", response_code=503,
                            duration_ms=120, error="HTTP 503 Service Unavailable from hooks.example")
    log = admin_client.get(reverse("admin:incidents_delivery_changelist") + f"?watch__id__exact={watch.pk}")
    assert log.status_code == 200 and "HTTP 503 Service Unavailable from hooks.example" in log.content.decode()
    assert admin_client.get(reverse("admin:incidents_watch_change", args=[watch.pk])).status_code == 200
    admin_client.post(reverse("admin:incidents_watch_changelist"), {"action": "resume", "_selected_action": [watch.pk]})
    watch.refresh_from_db()
    assert (watch.state, watch.consecutive_failures, watch.paused_reason) == ("active", 0, "")


def _event(incident):
    from incidents.alerts.models import AlertEvent

    return AlertEvent.objects.create(incident=incident, kind="opened", covers=["opened"], facts={"title": "x"})
