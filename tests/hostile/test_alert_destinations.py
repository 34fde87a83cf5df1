"""Alert destinations are hostile input: a webhook URL on a private address is refused when the watch is
created and again at every send (its own switch, OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS, whatever the
sources' switch says); a receiver that redirects is not followed; one that trickles or answers without end
is cut off by the deadline and the size limit; script in a title arrives escaped in every format."""

import json

import pytest
from django.core import mail

from incidents.alerts import delivery, messages, service
from incidents.alerts.models import Delivery, Watch
from tests.factories import IncidentFactory, MembershipFactory, VendorFactory, WatchFactory

pytestmark = pytest.mark.django_db

PRIVATE = ["http://127.0.0.1/hook", "http://10.0.0.8/hook", "http://169.254.169.254/latest/meta-data",
           "http://[::1]/hook", "http://192.168.1.1/hook", "http://localhost/hook", "http://[::ffff:10.0.0.1]/"]


def announce_one(**fields) -> int:
    incident = IncidentFactory(**fields)
    MembershipFactory(incident=incident)
    (delivery_id,) = service.announce(incident.pk)
    return delivery_id


@pytest.fixture
def no_private_destinations(settings):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True  # sources may be private here: destinations still may not
    settings.OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS = False


@pytest.mark.parametrize("url", PRIVATE)
def test_a_webhook_on_a_private_address_is_refused_when_the_watch_is_created(client, no_private_destinations, url):
    vendor = VendorFactory()
    response = client.post(f"/alerts/vendor/{vendor.slug}/new", {
        "destination": "webhook", "address": url, "events": ["opened"], "min_severity": 0})
    assert response.status_code == 400 and b"Alerts cannot be sent there: refused" in response.content
    assert not Watch.objects.exists()


def test_a_webhook_on_a_private_address_is_refused_at_send(http_server, no_private_destinations):
    http_server.serve("/hook", "ok")
    WatchFactory(url=http_server.url("/hook"), everything=True)  # allowed once, or its name moved since
    delivery_id = announce_one()
    assert delivery.deliver(delivery_id) == "failed"  # refused is final: no retry
    row = Delivery.objects.get(pk=delivery_id)
    assert row.error.startswith("refused: 127.0.0.1 is a loopback address") and row.response_code is None
    assert http_server.posts("/hook") == []  # refused before connecting


def test_a_receiver_that_redirects_is_not_followed(http_server):
    http_server.serve("/elsewhere", "ok")
    WatchFactory(url=http_server.url("/misbehave/redirect-to?location=/elsewhere&code=307"), everything=True)
    delivery_id = announce_one()
    assert delivery.deliver(delivery_id) == "failed"
    row = Delivery.objects.get(pk=delivery_id)
    assert row.response_code == 307 and "never sent on to another address" in row.error
    assert http_server.requests("/elsewhere") == []


def test_a_receiver_that_trickles_is_cut_off_by_the_deadline_and_retried_later(http_server, settings):
    settings.OUTAGEHUB_ALERT_TIMEOUT = 1
    WatchFactory(url=http_server.url("/misbehave/trickle?seconds=30&interval=0.2"), everything=True)
    delivery_id = announce_one()
    assert delivery.deliver(delivery_id) == "retry"  # a timeout may pass: tried again with backoff
    row = Delivery.objects.get(pk=delivery_id)
    assert "timed out after 1 s" in row.error and row.status == "pending"


@pytest.mark.parametrize("path", ["/misbehave/huge?mib=64", "/misbehave/huge-declared?mib=1024"])
def test_a_receiver_that_answers_without_end_is_cut_off_by_the_size_limit(http_server, path):
    WatchFactory(url=http_server.url(path), everything=True)
    delivery_id = announce_one()
    assert delivery.deliver(delivery_id) == "failed"
    assert "64 KiB" in Delivery.objects.get(pk=delivery_id).error


SCRIPT = '<script>alert("x")</script> & <!channel> *bold* [link](http://evil.example) @everyone'


@pytest.fixture
def scripted(http_server):
    http_server.serve("/hook", "ok")
    return IncidentFactory(title=f"Outage {SCRIPT}", regions=["<img src=x onerror=alert(1)>"])


@pytest.mark.parametrize("destination", ["slack", "teams", "discord"])
def test_script_in_a_title_arrives_escaped_in_chat_formats(http_server, scripted, destination):
    WatchFactory(destination=destination, url=http_server.url("/hook"), everything=True)
    MembershipFactory(incident=scripted)
    (delivery_id,) = service.announce(scripted.pk)
    assert delivery.deliver(delivery_id) == "sent"
    (_, raw), = http_server.posts("/hook")
    texts = json.dumps(json.loads(raw))  # every string of the message, as sent
    if destination == "discord":  # no HTML there: markdown and mentions are what a title could abuse
        assert json.loads(raw)["allowed_mentions"] == {"parse": []}
        assert r"\\<script\\>" in texts and r"\\*bold\\*" in texts and r"\\[link\\]" in texts
        return
    assert "<script" not in texts and "<img" not in texts and "<!channel>" not in texts
    if destination == "slack":
        assert "&lt;script&gt;alert(\\\"x\\\")&lt;/script&gt; &amp; &lt;!channel&gt;" in texts
    if destination == "teams":
        assert "&lt;script&gt;" in texts and "\\\\[link\\\\]" in texts


def test_script_in_a_title_arrives_escaped_in_email(scripted):
    WatchFactory(destination="email", url="", email="ops@example.com", everything=True)
    MembershipFactory(incident=scripted)
    (delivery_id,) = service.announce(scripted.pk)
    assert delivery.deliver(delivery_id) == "sent"
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert "\n" not in message.subject and SCRIPT in message.body  # the text part is text: shown as written


def test_a_generic_webhook_carries_the_raw_values_for_its_receiver_to_escape():
    facts = messages.AlertFacts(1, SCRIPT, "V", [], "investigating", "major", [], "2025-11-18T11:48:00+00:00", "",
                                "https://outagehub.example/incidents/x/")
    body = messages.webhook_body([messages.Alert(1, "opened", facts, "2025-11-18T11:48:00+00:00")], "https://u")
    assert body["alerts"][0]["incident"]["title"] == SCRIPT
