"""Each destination's message states the facts and carries the incident's link and the unsubscribe link (pure)."""

from incidents.alerts import messages
from incidents.alerts.messages import Alert, AlertFacts

FACTS = AlertFacts(7, "Cloudflare Global Network experiencing issues", "Cloudflare", ["CDN", "DNS"], "investigating",
                   "major", ["Europe"], "2025-11-18T11:48:00+00:00", "Sites behind Cloudflare showed 500 errors.",
                   "https://outagehub.example/incidents/cf/")
ALERT = Alert(3, "opened", FACTS, "2025-11-18T11:50:00+00:00")
UNSUBSCRIBE = "https://outagehub.example/alerts/unsubscribe/tok"


def test_every_format_states_the_facts_and_both_links():
    for destination in ("slack", "teams", "discord"):
        text = messages.render(destination, [ALERT], UNSUBSCRIBE).body_bytes().decode()
        for fact in ("Cloudflare Global Network", "CDN, DNS", "investigating", "major", "Europe", "2025-11-18",
                     "Sites behind Cloudflare showed 500 errors", FACTS.link, UNSUBSCRIBE):
            assert fact in text, (destination, fact)
    assert messages.webhook_body([ALERT], UNSUBSCRIBE)["alerts"][0]["incident"] == FACTS.__dict__
    subject, text, html = messages.email_parts([ALERT], UNSUBSCRIBE)
    assert subject == "Incident opened — Cloudflare Global Network experiencing issues"
    assert "Started: 2025-11-18 11:48 UTC" in text and "Regions: Europe" in text and UNSUBSCRIBE in html


def test_a_digest_is_one_message_of_every_alert():
    second = Alert(4, "resolved", FACTS, "2025-11-18T14:00:00+00:00")
    body = messages.webhook_body([ALERT, second], UNSUBSCRIBE)
    assert body["type"] == "digest" and [a["event"] for a in body["alerts"]] == ["opened", "resolved"]
    assert messages.slack_body([ALERT, second], UNSUBSCRIBE)["text"] == "2 incident updates"
    assert messages.email_parts([ALERT, second], UNSUBSCRIBE)[0] == "2 incident updates"


def test_a_vendor_not_in_the_title_is_named_in_the_headline():
    facts = AlertFacts(**{**FACTS.__dict__, "title": "Elevated errors on the dashboard"})
    headline = messages.headline(Alert(1, "resolved", facts, ""))
    assert headline == "Resolved — Cloudflare: Elevated errors on the dashboard"


def test_a_resolved_alert_says_when_it_ended_and_older_stored_facts_still_read():
    over = AlertFacts(**{**FACTS.__dict__, "status": "resolved", "ended_at": "2025-11-18T14:42:00+00:00"})
    _, text, _ = messages.email_parts([Alert(5, "resolved", over, "2025-11-18T14:45:00+00:00")], UNSUBSCRIBE)
    assert "Started: 2025-11-18 11:48 UTC" in text and "Ended: 2025-11-18 14:42 UTC" in text
    assert "Ended" not in messages.email_parts([ALERT], UNSUBSCRIBE)[1]  # while it lasts
    stored_before = {name: value for name, value in FACTS.__dict__.items() if name != "ended_at"}
    assert AlertFacts.from_dict(stored_before) == FACTS
