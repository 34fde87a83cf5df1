"""A replayed outage (a press report, the vendor's status posts, a post-incident report) through the
real pipeline, announced to watches on a real local HTTP server: one message per event per watch,
signed; a replay, a recluster or a merge sends nothing new; a split sends for the new incident only."""

import json
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command

from articles.items import VendorStatus
from incidents import curation
from incidents.alerts.models import AlertEvent, Delivery
from incidents.alerts.signing import verify
from incidents.models import Incident
from incidents.pipeline import process_article
from tests.factories import ItemUpdateFactory, SourceFactory, WatchFactory, stored
from tests.incidents.alerts.conftest import run_alerts
from tests.incidents.cloudflare_outage import T0, cloudflare_post, news

pytestmark = pytest.mark.django_db


def outage_steps(press, status):
    """The outage as it arrived: each step is stored, processed, and the alerts run."""
    resolved = replace(cloudflare_post(), status=VendorStatus.RESOLVED, impact="critical", updates=(
        ItemUpdateFactory(posted_at=T0 + timedelta(minutes=10), status=VendorStatus.INVESTIGATING,
                          text="Investigating."),
        ItemUpdateFactory(posted_at=T0 + timedelta(hours=3), status=VendorStatus.RESOLVED, text="Resolved.")))
    return [
        # the press first, before the vendor says a word
        lambda: stored(press, news("Cloudflare outage takes down X, ChatGPT and much of the web",
                                   body="<p>Websites behind Cloudflare showed \"500 Internal Server Error\" pages "
                                        "to visitors in Europe on Tuesday morning.</p>")),
        lambda: stored(status, replace(cloudflare_post(at=T0 + timedelta(minutes=10)), impact="major")),
        lambda: stored(status, resolved, at=T0 + timedelta(hours=3, minutes=1)),
        lambda: stored(press, news("Cloudflare explains what caused last week's outage",
                                   body="<p>In its post-incident report, Cloudflare said a bot-management feature "
                                        "file doubled in size.</p>", at=T0 + timedelta(days=2))),
    ]


def replay(press, status):
    for step in outage_steps(press, status):
        process_article(step().pk)
        run_alerts()


def received(server, path):
    return [(headers, json.loads(body)) for headers, body in server.posts(path)]


@pytest.fixture
def sources():
    return (SourceFactory(name="The Register", kind="feed"),
            SourceFactory(name="Cloudflare status", kind="statuspage", vendor_name="Cloudflare"))


@pytest.fixture
def watches(http_server, cloudflare):
    http_server.serve("/hook", "ok")
    http_server.serve("/slack", "ok")
    return {
        "webhook": WatchFactory(url=http_server.url("/hook"), vendors=[cloudflare]),
        "slack": WatchFactory(destination="slack", url=http_server.url("/slack"), everything=True),
        "email": WatchFactory(destination="email", url="", email="ops@example.com", vendors=[cloudflare]),
        # wants only the end of incidents
        "resolved_only": WatchFactory(url=http_server.url("/hook"), vendors=[cloudflare], on_opened=False,
                                      on_acknowledged=False, on_severity_raised=False, on_report_published=False),
    }


def signed_bodies(server, path, watches):
    """(watch, event kinds) of each POST to `path`, each checked against the signature of the watch whose
    unsubscribe link it carries."""
    by_token = {w.token: w for w in watches}
    seen = []
    for headers, raw in server.posts(path):
        body = json.loads(raw)
        watch = by_token[body["unsubscribe_url"].rsplit("/", 1)[1]]
        assert verify(watch.secret, headers["X-OutageHub-Signature"], raw, now=int(time.time()))
        seen.append((watch, [alert["event"] for alert in body["alerts"]]))
    return seen


EVERY_EVENT = ["opened", "acknowledged", "severity_raised", "resolved", "report_published"]


def test_a_replayed_outage_sends_one_signed_message_per_event_per_watch(http_server, sources, watches):
    replay(*sources)
    assert list(AlertEvent.objects.order_by("created_at", "pk").values_list("kind", flat=True)) == EVERY_EVENT
    hooks = signed_bodies(http_server, "/hook", [watches["webhook"], watches["resolved_only"]])
    assert [kinds for watch, kinds in hooks if watch == watches["webhook"]] == [[k] for k in EVERY_EVENT]
    assert [kinds for watch, kinds in hooks if watch == watches["resolved_only"]] == [["resolved"]]
    slack = [json.loads(raw)["text"] for _, raw in http_server.posts("/slack")]
    assert len(slack) == len(EVERY_EVENT)
    assert slack[0] == "Incident opened — Cloudflare outage takes down X, ChatGPT and much of the web"
    assert len(mail.outbox) == len(EVERY_EVENT) and all(m.to == ["ops@example.com"] for m in mail.outbox)
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    incident = Incident.objects.get()
    opened = json.loads(http_server.posts("/hook")[0][1])["alerts"][0]["incident"]
    assert opened["vendor"] == "Cloudflare" and opened["link"] == f"http://localhost:8000/incidents/{incident.slug}/"
    assert opened["regions"] == ["Europe"] and opened["started_at"].startswith("2025-11-18T11:48")


def test_the_same_replay_twice_sends_nothing_new(http_server, sources, watches):
    replay(*sources)
    sent = len(http_server.posts("/hook")), len(http_server.posts("/slack")), len(mail.outbox)
    replay(*sources)  # the same payloads again: stored as unchanged, the incident as it was
    for incident in Incident.objects.all():  # and even when every incident is worked out again
        Incident.objects.filter(pk=incident.pk).update(alerts_due_at=T0)
    run_alerts()
    assert (len(http_server.posts("/hook")), len(http_server.posts("/slack")), len(mail.outbox)) == sent
    assert AlertEvent.objects.count() == len(EVERY_EVENT)


def test_a_recluster_sends_nothing_new(http_server, sources, watches):
    replay(*sources)
    sent = len(http_server.posts("/slack"))
    old = set(Incident.objects.values_list("pk", flat=True))
    call_command("recluster")
    assert set(Incident.objects.values_list("pk", flat=True)).isdisjoint(old)  # new incidents, same articles
    run_alerts()
    assert len(http_server.posts("/slack")) == sent


def test_an_editors_merge_sends_nothing(http_server, sources, watches):
    _, status = sources
    first = Incident.objects.get(pk=process_article(stored(status, cloudflare_post()).pk).incident_id)
    other_post = replace(cloudflare_post(at=T0 + timedelta(minutes=5)), external_id="cf-2", vendor_incident_id="cf-2",
                         title="Cloudflare Dashboard and API errors", url="https://www.cloudflarestatus.com/incidents/cf2",
                         status=VendorStatus.RESOLVED, impact="critical")
    second = Incident.objects.get(pk=process_article(stored(status, other_post).pk).incident_id)
    assert first.pk != second.pk
    run_alerts()
    sent = len(http_server.posts("/slack"))
    assert sent == 2  # the first opened; the second, first seen over, in one message
    curation.merge(first, [second], User.objects.create(username="editor", is_staff=True))
    assert run_alerts() == {}
    assert len(http_server.posts("/slack")) == sent


def test_a_split_sends_only_for_the_new_incident(http_server, sources, watches):
    press, status = sources
    incident_id = process_article(stored(status, cloudflare_post()).pk).incident_id
    stray = stored(press, news("Cloudflare dashboard outage: customers locked out",
                               body="<p>Cloudflare's dashboard failed for customers in Europe.</p>",
                               at=T0 + timedelta(minutes=20)))
    assert process_article(stray.pk).incident_id == incident_id
    run_alerts()
    last_before = AlertEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    new = curation.split(Incident.objects.get(pk=incident_id), [stray.pk],
                         User.objects.create(username="editor", is_staff=True))
    run_alerts()
    assert set(AlertEvent.objects.filter(pk__gt=last_before).values_list("incident_id", flat=True)) == {new.pk}
    assert AlertEvent.objects.filter(incident_id=new.pk, kind="opened").count() == 1
