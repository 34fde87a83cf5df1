"""Anyone creates a watch from a vendor's or service's page; it is confirmed by a link sent to the
destination (double opt-in) before anything else is sent there."""

import json
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from incidents.alerts import service
from incidents.alerts.models import Watch
from incidents.alerts.signing import signature
from incidents.tasks import confirm_watch
from tests.factories import IncidentFactory, MembershipFactory, ServiceFactory, WatchFactory

pytestmark = pytest.mark.django_db


def test_the_vendor_page_links_to_the_watch_form_prefilled(client, cloudflare):
    page = client.get("/vendors/cloudflare/").content.decode()
    assert 'action="/alerts/vendor/cloudflare/new"' in page and 'method="get"' in page
    form = client.get("/alerts/vendor/cloudflare/new", {"destination": "email", "address": "me@example.com"})
    assert form.status_code == 200 and b'value="me@example.com"' in form.content


def test_an_email_watch_is_confirmed_by_the_link_sent_to_it(client, cloudflare):
    response = client.post("/alerts/vendor/cloudflare/new", {
        "destination": "email", "address": "me@example.com", "events": ["opened", "resolved"], "min_severity": 3})
    assert response.status_code == 200 and b"We sent a confirmation link to me@example.com" in response.content
    watch = Watch.objects.get()
    assert (watch.state, list(watch.vendors.all()), watch.on_opened, watch.on_acknowledged, watch.min_severity) == (
        "pending", [cloudflare], True, False, 3)
    incident = IncidentFactory(vendor=cloudflare, severity=4)
    MembershipFactory(incident=incident)
    assert service.announce(incident.pk) == []  # not confirmed: nothing goes there
    assert confirm_watch(watch.pk) == "sent"  # the task the view queued after commit
    (link,) = re.findall(r"http://localhost:8000(/alerts/confirm/\S+)", mail.outbox[0].body)
    assert client.get(link).status_code == 200 and Watch.objects.get().state == "pending"  # a GET only asks
    assert b"Confirmed" in client.post(link).content and Watch.objects.get().state == "active"
    later = IncidentFactory(vendor=cloudflare, severity=4)
    MembershipFactory(incident=later)
    assert len(service.announce(later.pk)) == 1


def test_a_webhook_is_confirmed_by_a_message_posted_to_it_and_shown_its_secret(client, http_server):
    http_server.serve("/hook", "ok")
    exchange = ServiceFactory()
    client.post(f"/alerts/service/{exchange.slug}/new", {
        "destination": "webhook", "address": http_server.url("/hook"), "events": ["opened"], "min_severity": 0})
    watch = Watch.objects.get()
    assert list(watch.services.all()) == [exchange] and watch.url == http_server.url("/hook")
    assert confirm_watch(watch.pk) == "sent"
    (_, raw), = http_server.posts("/hook")
    link = json.loads(raw)["confirm_url"].removeprefix("http://localhost:8000")
    assert watch.secret.encode() in client.post(link).content  # shown once, to whoever holds the destination


def test_a_form_with_a_bad_address_is_refused_and_creates_nothing(client, cloudflare):
    response = client.post("/alerts/vendor/cloudflare/new", {"destination": "email", "address": "not an address",
                                                             "events": ["opened"], "min_severity": 0})
    assert response.status_code == 400 and b"Enter an email address." in response.content
    assert not Watch.objects.exists()


def test_the_readme_verification_snippet_accepts_our_signature_and_nothing_else():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    snippet = readme.split("**Verifying a generic webhook.**", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)
    check = namespace["is_from_outagehub"]
    body = b'{"version":1}'
    header = signature("secret", int(time.time()), body)
    assert check("secret", header, body) and not check("secret", header, body + b" ")
    assert not check("other", header, body)


def _sign_up(client, address, remote_addr):
    return client.post("/alerts/vendor/cloudflare/new", {"destination": "email", "address": address,
                                                         "events": ["opened"], "min_severity": 0},
                       REMOTE_ADDR=remote_addr)


def test_sign_ups_are_limited_per_client_address(client, cloudflare, settings):
    # Addresses of this run's own: the PostgreSQL run's cache is a Redis the other tests share.
    settings.OUTAGEHUB_WATCH_SIGNUP_RATE = "2/hour"
    signer, other = f"192.0.2.{uuid.uuid4().int % 250 + 1}", f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    for _ in range(2):
        assert _sign_up(client, f"{uuid.uuid4().hex}@example.com", signer).status_code == 200
    refused = _sign_up(client, f"{uuid.uuid4().hex}@example.com", signer)
    assert refused.status_code == 429 and b"Too many sign-ups from your address" in refused.content
    assert Watch.objects.count() == 2
    assert _sign_up(client, f"{uuid.uuid4().hex}@example.com", other).status_code == 200


def test_confirmations_to_one_destination_are_limited_whoever_signs_up(client, cloudflare, settings):
    settings.OUTAGEHUB_WATCH_CONFIRMATION_RATE = "1/day"
    victim = f"{uuid.uuid4().hex}@example.com"
    assert _sign_up(client, victim, "192.0.2.10").status_code == 200
    refused = _sign_up(client, victim.upper(), "198.51.100.10")
    assert refused.status_code == 429 and b"Too many confirmations sent to this address" in refused.content
    assert Watch.objects.count() == 1


def test_watches_nobody_confirmed_are_removed_after_the_confirmation_window(settings):
    settings.OUTAGEHUB_WATCH_CONFIRM_HOURS = 72
    now = timezone.now()
    stale = WatchFactory(state=Watch.State.PENDING, created_at=now - timedelta(hours=73))
    fresh = WatchFactory(state=Watch.State.PENDING, created_at=now - timedelta(hours=71))
    confirmed = WatchFactory(created_at=now - timedelta(days=30))
    assert service.expire_unconfirmed(now) == 1
    assert set(Watch.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}
    assert not Watch.objects.filter(pk=stale.pk).exists()
