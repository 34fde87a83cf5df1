"""An alert as each destination wants it (pure): the facts of one event, or a digest of several, turned
into a generic webhook's JSON, a Slack, Microsoft Teams or Discord message, or an email (subject, text,
HTML). Every text from a source (titles, names, takeaways) is escaped for the format it goes into:
Slack's mrkdwn control characters (& < >), HTML entities and link brackets for Teams cards, Discord
markdown with mentions off, and HTML in email. Links are ours (absolute, from OUTAGEHUB_SITE_URL)."""

import html
import json
import re
from dataclasses import asdict, dataclass, field

from incidents.alerts.events import LABELS

WEBHOOK, SLACK, TEAMS, DISCORD, EMAIL = "webhook", "slack", "teams", "discord", "email"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AlertFacts:
    """What every message says of the incident, as it was when the event happened."""

    incident_id: int
    title: str
    vendor: str
    services: list[str]
    status: str
    severity: str
    regions: list[str]
    started_at: str  # ISO 8601, UTC
    takeaway: str
    link: str
    ended_at: str = ""  # ISO 8601, UTC; "" while it lasts, or when it is over and no source says when

    @classmethod
    def from_dict(cls, data: dict) -> "AlertFacts":
        # Facts stored before a field existed lack it: it takes its default.
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


@dataclass(frozen=True)
class Alert:
    """One event of one incident, for one watch."""

    event_id: int
    kind: str
    facts: AlertFacts
    occurred_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Envelope:
    """What goes out: a JSON body for the HTTP destinations, or an email's parts."""

    json_body: dict | None = None
    subject: str = ""
    text: str = ""
    html: str = ""
    extra: dict = field(default_factory=dict)

    def body_bytes(self) -> bytes:
        return json.dumps(self.json_body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def headline(alert: Alert) -> str:
    facts = alert.facts
    who = f"{facts.vendor}: " if facts.vendor and not facts.title.startswith(facts.vendor) else ""
    return f"{LABELS[alert.kind]} — {who}{facts.title}"


def fact_lines(facts: AlertFacts) -> list[tuple[str, str]]:
    """(label, value) of every fact a message states, those that are known."""
    lines = [("Vendor", facts.vendor), ("Services", ", ".join(facts.services)), ("Status", facts.status),
             ("Severity", facts.severity), ("Regions", ", ".join(facts.regions)), ("Started", _time(facts.started_at)),
             ("Ended", _time(facts.ended_at) if facts.ended_at else ""), ("Takeaway", facts.takeaway)]
    return [(label, value) for label, value in lines if value]


def render(destination: str, alerts: list[Alert], unsubscribe_url: str) -> Envelope:
    """The message for `alerts` (one: an alert; more: a digest of them) in the destination's format."""
    if destination == WEBHOOK:
        return Envelope(json_body=webhook_body(alerts, unsubscribe_url))
    if destination == SLACK:
        return Envelope(json_body=slack_body(alerts, unsubscribe_url))
    if destination == TEAMS:
        return Envelope(json_body=teams_body(alerts, unsubscribe_url))
    if destination == DISCORD:
        return Envelope(json_body=discord_body(alerts, unsubscribe_url))
    if destination == EMAIL:
        subject, text, body = email_parts(alerts, unsubscribe_url)
        return Envelope(subject=subject, text=text, html=body)
    raise ValueError(f"unknown destination {destination!r}")


def _digest_title(alerts: list[Alert]) -> str:
    return f"{len(alerts)} incident updates" if len(alerts) > 1 else headline(alerts[0])


# --- generic webhook ------------------------------------------------------------------------------


def webhook_body(alerts: list[Alert], unsubscribe_url: str) -> dict:
    """JSON: {"version", "type": "alert"|"digest", "alerts": [{"event_id", "event", "occurred_at", "incident"}],
    "unsubscribe_url"}. Raw values: the receiver escapes for wherever it shows them."""
    return {
        "version": SCHEMA_VERSION,
        "type": "alert" if len(alerts) == 1 else "digest",
        "alerts": [{"event_id": a.event_id, "event": a.kind, "occurred_at": a.occurred_at, "incident": asdict(a.facts)}
                   for a in alerts],
        "unsubscribe_url": unsubscribe_url,
    }


def confirmation_body(destination: str, confirm_url: str, what: str) -> dict:
    """The message that asks a webhook's owner to confirm it (double opt-in), in its format."""
    text = f"Someone asked OutageHub to send alerts about {what} here. To start them, open {confirm_url}"
    if destination == SLACK:
        return {"text": f"{slack_escape(text.rsplit(' ', 1)[0])} <{confirm_url}|{confirm_url}>"}
    if destination == TEAMS:
        return _teams_card("Confirm OutageHub alerts", [teams_escape(text)], confirm_url, "Confirm")
    if destination == DISCORD:
        return {"content": discord_escape(text), "allowed_mentions": {"parse": []}}
    return {"version": SCHEMA_VERSION, "type": "confirmation", "confirm_url": confirm_url, "text": text}


# --- Slack -----------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack's three control characters (its mrkdwn reads <…> as links and mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(alerts: list[Alert], unsubscribe_url: str) -> dict:
    blocks = []
    for alert in alerts:
        facts = alert.facts
        lines = [f"*<{facts.link}|{slack_escape(headline(alert))}>*"]
        lines += [f"*{label}:* {slack_escape(value)}" for label, value in fact_lines(facts)]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"<{unsubscribe_url}|Unsubscribe> from these OutageHub alerts"}]})
    return {"text": slack_escape(_digest_title(alerts)), "blocks": blocks}


# --- Microsoft Teams (Adaptive Card through an incoming webhook / workflow) -------------------------


# What a card's markdown subset reads as emphasis or a link (a value is one line, so no list or heading).
_TEAMS_MARKDOWN = re.compile(r"([\\*_\[\]])")


def teams_escape(text: str) -> str:
    """Cards render a markdown subset, and some clients HTML: both neutralised."""
    return _TEAMS_MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def _teams_card(title: str, paragraphs: list[str], link: str, link_title: str, facts: list[dict] | None = None) -> dict:
    body = [{"type": "TextBlock", "text": teams_escape(title), "weight": "Bolder", "size": "Medium", "wrap": True}]
    body += [{"type": "TextBlock", "text": text, "wrap": True} for text in paragraphs]
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                    "version": "1.4", "body": body,
                    "actions": [{"type": "Action.OpenUrl", "title": link_title, "url": link}]},
    }]}


def teams_body(alerts: list[Alert], unsubscribe_url: str) -> dict:
    if len(alerts) == 1:
        alert = alerts[0]
        facts = [{"title": label, "value": teams_escape(value)} for label, value in fact_lines(alert.facts)]
        card = _teams_card(headline(alert), [], alert.facts.link, "Open the incident", facts)
    else:
        lines = [teams_escape(headline(a)) + f" — {a.facts.link}" for a in alerts]
        card = _teams_card(_digest_title(alerts), lines, alerts[0].facts.link, "Open the first incident")
    card["attachments"][0]["content"]["actions"].append(
        {"type": "Action.OpenUrl", "title": "Unsubscribe", "url": unsubscribe_url})
    return card


# --- Discord ---------------------------------------------------------------------------------------


# Discord hides a backslash before any of these: emphasis, spoilers, quotes, headings, links, mentions.
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<@])")


def discord_escape(text: str) -> str:
    return _DISCORD_MARKDOWN.sub(r"\\\1", text)


def discord_body(alerts: list[Alert], unsubscribe_url: str) -> dict:
    embeds = [{
        "title": discord_escape(headline(a))[:256],
        "url": a.facts.link,
        "fields": [{"name": label, "value": discord_escape(value)[:1024], "inline": label not in ("Takeaway",)}
                   for label, value in fact_lines(a.facts)],
    } for a in alerts[:10]]
    return {
        "content": discord_escape(_digest_title(alerts)) + f"\nUnsubscribe: <{unsubscribe_url}>",
        "embeds": embeds,
        "allowed_mentions": {"parse": []},  # no @everyone, whatever a title says
    }


# --- email -----------------------------------------------------------------------------------------


def email_parts(alerts: list[Alert], unsubscribe_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML): the subject on one line, every value HTML-escaped in the HTML part."""
    subject = " ".join(_digest_title(alerts).split())[:200]
    text_parts, html_parts = [], []
    for alert in alerts:
        facts = alert.facts
        lines = fact_lines(facts)
        text_parts.append("\n".join([headline(alert), *(f"{label}: {value}" for label, value in lines), facts.link]))
        rows = "".join(f"<tr><th align=\"left\">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                       for label, value in lines)
        html_parts.append(f"<h2><a href=\"{html.escape(facts.link)}\">{html.escape(headline(alert))}</a></h2>"
                          f"<table>{rows}</table>")
    footer = f"Unsubscribe: {unsubscribe_url}"
    text = "\n\n".join(text_parts) + f"\n\n-- \n{footer}\n"
    body = ("<!doctype html><html><body>" + "".join(html_parts)
            + f"<p><a href=\"{html.escape(unsubscribe_url)}\">Unsubscribe</a> from these alerts.</p></body></html>")
    return subject, text, body


def _time(iso: str) -> str:
    """2025-11-18T11:48:00+00:00 → 2025-11-18 11:48 UTC, the site's way of writing a time."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso
