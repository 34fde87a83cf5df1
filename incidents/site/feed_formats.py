"""What a feed entry says about an incident, written as HTML, plain text, JSON Feed 1.1 and
iCalendar (RFC 5545). Pure: plain data in, text or dicts out; feeds.py does the Django side.

RSS and Atom (django.contrib.syndication) and JSON Feed all carry the same `entry_html`, so an
entry reads the same in every reader. FeedInfo and FeedEntry hold no character that XML 1.0
forbids, whoever wrote the incident (a control character in one title made the syndication
generator refuse the whole feed).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime
from html import escape

from articles.sanitize import xml_text
from incidents.summaries.brief import Statement, display_region, format_duration, format_time

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Shorter words for the entry title; the rest of the statuses read well as they are labelled.
HEADING_STATUS = {"reported": "reported by press"}
ICAL_LINE_OCTETS = 75
ICAL_REFRESH = "PT15M"  # how often a calendar app should re-read the feed (RFC 7986)


def _xml_safe(value):
    """A string, or a tuple or dataclass of them (a Statement and its citations), without the
    characters XML 1.0 forbids; anything else as it is."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, tuple):
        return tuple(_xml_safe(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _xml_safe(getattr(value, f.name)) for f in fields(value)})
    return value


class _XMLSafe:
    """Strips the characters XML 1.0 forbids from every text field when the dataclass is made: every
    format writes XML or text that ends up in it, and the entries come from rows anyone may have
    written (an editor, a feed stored before ingest cleaned such characters)."""

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _xml_safe(getattr(self, f.name)))  # frozen: set once, here


@dataclass(frozen=True)
class FeedInfo(_XMLSafe):
    """The feed as a whole: what it is called and where it lives (absolute URLs)."""

    title: str
    description: str
    home_page_url: str  # the page that shows the same incidents
    feed_url: str
    about_url: str  # the page that documents the feeds (JSON Feed's extension "about")


@dataclass(frozen=True)
class FeedEntry(_XMLSafe):
    """One incident as a feed shows it."""

    url: str  # the absolute URL of its page; also its stable id in every format
    title: str
    status: str  # an Incident.Status value
    status_label: str
    severity: str  # our scale's word: unknown, maintenance, minor, major, critical
    started_at: datetime
    first_reported_at: datetime
    updated_at: datetime  # changes when its status or summary changes
    is_over: bool
    resolved_at: datetime | None = None
    acknowledged_at: datetime | None = None
    vendor: str = ""  # the vendor's name, or what is down when the catalogue does not know it
    vendor_severity: str = ""
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # labels of incidents.regions
    vendor_incident_ids: tuple[str, ...] = ()
    error_messages: tuple[str, ...] = ()
    why_this_matters: tuple[Statement, ...] = ()
    takeaways: tuple[Statement, ...] = ()
    also_affected: tuple[str, ...] = ()
    post_incident_report: str = ""  # "published: <title>", "pending: …", or "" when none is known

    @property
    def heading(self) -> str:
        """The title with the status: "Exchange Online: mail delays (investigating)"."""
        return f"{self.title} ({HEADING_STATUS.get(self.status, self.status_label)})"

    @property
    def published_at(self) -> datetime:
        """When it began, or when it was announced if that was earlier (maintenance scheduled ahead
        would otherwise carry a date in the future, which readers hide or sort oddly)."""
        return min(self.started_at, self.first_reported_at)

    @property
    def tags(self) -> list[str]:
        return [name for name in (self.vendor, *self.services) if name]

    @property
    def why_text(self) -> str:
        return " ".join(statement.text for statement in self.why_this_matters)

    def facts(self) -> list[tuple[str, str]]:
        """(name, value) pairs in reading order, the values plain text."""
        severity = self.severity + (f" (vendor: {self.vendor_severity})" if self.vendor_severity else "")
        facts = [("Status", self.status_label), ("Severity", severity), ("Started", format_time(self.started_at))]
        if self.is_over and self.resolved_at and self.resolved_at >= self.started_at:
            facts.append(("Resolved", format_time(self.resolved_at)))
            facts.append(("Duration", format_duration(self.resolved_at - self.started_at)))
        elif self.status == "quiet":
            facts.append(("Resolved", "no source says so, and none has reported on it lately"))
        elif not self.is_over:
            facts.append(("Resolved", "not yet"))
        facts.append(("Vendor acknowledged", self._acknowledgement()))
        if self.services:
            facts.append(("Services", ", ".join(self.services)))
        if self.regions:
            facts.append(("Regions", ", ".join(display_region(label) for label in self.regions)))
        if self.also_affected:
            facts.append(("Also affected", ", ".join(self.also_affected)))
        if self.vendor_incident_ids:
            facts.append(("Vendor incident ids", ", ".join(self.vendor_incident_ids)))
        if self.post_incident_report:
            facts.append(("Post-incident report", self.post_incident_report))
        return facts

    def _acknowledgement(self) -> str:
        if self.acknowledged_at is None:
            return "not yet"
        said = format_time(self.acknowledged_at)
        if self.acknowledged_at > self.first_reported_at:
            said += f", {format_duration(self.acknowledged_at - self.first_reported_at)} after the first report"
        return said


@dataclass(frozen=True)
class ChangeEntry(_XMLSafe):
    """One change of one incident, as the incident's own feed shows it: an update the vendor posted
    or a new version of the summary."""

    id: str  # stable: the incident's address with a fragment for this change
    url: str  # where a reader sees it
    title: str
    html: str  # escaped where it was written
    published_at: datetime
    author: str = ""


UPDATE_TITLE_CHARACTERS = 100


def update_entry(incident_url: str, update_id: int, posted_at: datetime, label: str, text: str,
                 source: str) -> ChangeEntry:
    """A vendor's status update: "Investigating: We are looking into elevated error rates…". Its id
    is the update's entry on the incident page, which the page's citations point at too."""
    anchor = citation_url(incident_url, f"update:{update_id}")
    body = "<br>".join(escape(line) for line in text.splitlines()) if text else escape(label)
    return ChangeEntry(
        id=anchor, url=anchor,
        title=f"{label}: {shortened(text, UPDATE_TITLE_CHARACTERS)}" if text else label,
        html=f"<p>{body}</p>\n<p>Posted by {escape(source or 'the vendor')} at {escape(format_time(posted_at))}.</p>",
        published_at=posted_at, author=source,
    )


def summary_entry(incident_url: str, version: int, created_at: datetime, why_this_matters: tuple[Statement, ...],
                  takeaways: tuple[Statement, ...], by_editor: bool) -> ChangeEntry:
    """A version of the summary, whole: what it said then, with its citations."""
    title = "Summary written" if version == 1 else f"Summary revised (version {version})"
    if by_editor:
        title += " by an editor"
    parts = summary_html(incident_url, why_this_matters, takeaways) or ["<p>Little is known yet.</p>"]
    return ChangeEntry(id=f"{incident_url}#summary-{version}", url=incident_url, title=title, html="\n".join(parts),
                       published_at=created_at, author="an OutageHub editor" if by_editor else "OutageHub")


def shortened(text: str, limit: int) -> str:
    """The text's first line cut at a word before `limit` characters, with "…" when cut."""
    line = text.strip().split("\n", 1)[0].strip()
    if len(line) <= limit:
        return line
    words = line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")  # the words that end within the limit, "…" after
    return (words if 0 < len(words) < limit else line[: limit - 1]) + "…"


def citation_url(incident_url: str, ref: str) -> str:
    """Where a citation ("article:12", "update:34") points: its entry in the incident page's source
    list, which carries the id "source-article-12"."""
    return f"{incident_url}#source-{ref.replace(':', '-')}"


def summary_html(incident_url: str, why_this_matters: Iterable[Statement], takeaways: Iterable[Statement]) -> list[str]:
    """Why it matters and the takeaways as HTML parts, each citation a numbered link to its entry in
    the incident page's list of sources. Every value is escaped here."""
    numbers: dict[str, int] = {}  # a source cited twice keeps its number

    def cited(statement: Statement) -> str:
        links = []
        for ref in statement.citations:
            number = numbers.setdefault(ref, len(numbers) + 1)
            links.append(f'<a href="{escape(citation_url(incident_url, ref))}">[{number}]</a>')
        return escape(statement.text) + ("&nbsp;" + " ".join(links) if links else "")

    parts = []
    why = " ".join(cited(statement) for statement in why_this_matters)
    if why:
        parts.append(f"<h3>Why this matters</h3><p>{why}</p>")
    items = "".join(f"<li>{cited(statement)}</li>" for statement in takeaways)
    if items:
        parts.append(f"<h3>Key takeaways</h3><ul>{items}</ul>")
    return parts


def entry_html(entry: FeedEntry) -> str:
    """The entry's content as HTML: why it matters and the takeaways with their citations, the facts,
    the error messages users see. Every value is escaped here."""
    parts = summary_html(entry.url, entry.why_this_matters, entry.takeaways)
    facts = "".join(f"<li><strong>{escape(name)}:</strong> {escape(value)}</li>" for name, value in entry.facts())
    parts.append(f"<ul>{facts}</ul>")
    if entry.error_messages:
        messages = "".join(f"<li><code>{escape(message)}</code></li>" for message in entry.error_messages)
        parts.append(f"<h3>Error messages users see</h3><ul>{messages}</ul>")
    parts.append(f'<p><a href="{escape(entry.url)}">Status updates, sources and details</a></p>')
    return "\n".join(parts)


def entry_text(entry: FeedEntry) -> str:
    """The entry's content as plain text (JSON Feed's content_text, the calendar's DESCRIPTION)."""
    lines = [f"{name}: {value}" for name, value in entry.facts()]
    if entry.why_this_matters:
        lines += ["", "Why this matters: " + entry.why_text]
    if entry.takeaways:
        lines += ["", "Key takeaways:", *(f"- {statement.text}" for statement in entry.takeaways)]
    if entry.error_messages:
        lines += ["", "Error messages users see:", *(f"- {message}" for message in entry.error_messages)]
    lines += ["", f"Status updates, sources and details: {entry.url}"]
    return "\n".join(lines)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_feed(info: FeedInfo, entries: Iterable[FeedEntry], next_url: str = "") -> dict:
    """A JSON Feed 1.1 document; "_outagehub" holds the incident's fields for programs. `next_url` is
    the page of older entries, when there is one."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_page_url,
        "feed_url": info.feed_url,
        "description": info.description,
        "language": "en",
        "authors": [{"name": "OutageHub"}],
        "items": [_json_item(entry, info.about_url) for entry in entries],
    }
    if next_url:
        document["next_url"] = xml_text(next_url)
    return document


def _json_item(entry: FeedEntry, about_url: str) -> dict:
    item = {
        "id": entry.url,
        "url": entry.url,
        "title": entry.heading,
        "content_html": entry_html(entry),
        "content_text": entry_text(entry),
        "date_published": rfc3339(entry.published_at),
        "date_modified": rfc3339(entry.updated_at),
        "tags": entry.tags,
        "_outagehub": {
            "about": about_url,
            "status": entry.status,
            "severity": entry.severity,
            "vendor": entry.vendor,
            "services": list(entry.services),
            "regions": list(entry.regions),
            "started_at": rfc3339(entry.started_at),
            "resolved_at": rfc3339(entry.resolved_at) if entry.is_over and entry.resolved_at else None,
            "vendor_acknowledged_at": rfc3339(entry.acknowledged_at) if entry.acknowledged_at else None,
            "vendor_incident_ids": list(entry.vendor_incident_ids),
            "error_messages": list(entry.error_messages),
        },
    }
    if entry.why_this_matters:
        item["summary"] = entry.why_text
    return item


def icalendar(info: FeedInfo, entries: Iterable[FeedEntry]) -> str:
    """An iCalendar (RFC 5545) calendar with one VEVENT per incident, from its start to its
    resolution. An ongoing incident has no end yet: its event has only DTSTART (RFC 5545 reads
    that as ending when it starts) until the incident is resolved. Events are TRANSPARENT so they
    never make a subscriber look busy."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OutageHub//Incidents//EN",
        "CALSCALE:GREGORIAN",
        f"NAME:{ical_text(info.title)}",
        f"X-WR-CALNAME:{ical_text(info.title)}",
        f"DESCRIPTION:{ical_text(info.description)}",
        f"URL:{ical_uri(info.home_page_url)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ICAL_REFRESH}",
    ]
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ical_text(entry.url)}",
            # Without a METHOD property DTSTAMP is the time of the last revision (RFC 5545 3.8.7.2).
            f"DTSTAMP:{ical_time(entry.updated_at)}",
            f"LAST-MODIFIED:{ical_time(entry.updated_at)}",
            f"DTSTART:{ical_time(entry.started_at)}",
        ]
        if entry.is_over and entry.resolved_at and entry.resolved_at > entry.started_at:
            lines.append(f"DTEND:{ical_time(entry.resolved_at)}")
        lines += [
            f"SUMMARY:{ical_text(entry.heading)}",
            f"DESCRIPTION:{ical_text(entry_text(entry))}",
            f"URL:{ical_uri(entry.url)}",
            "TRANSP:TRANSPARENT",
        ]
        if entry.tags:
            lines.append("CATEGORIES:" + ",".join(ical_text(tag) for tag in entry.tags))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def ical_time(moment: datetime) -> str:
    """A UTC DATE-TIME: 20261127T140500Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def ical_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n,
    other control characters (which TEXT may not hold) dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def ical_uri(value: str) -> str:
    """A URI value is not TEXT-escaped; control characters cannot be in a URI anyway."""
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """The content line folded at 75 octets (RFC 5545 3.1): continuation lines start with a space,
    and a UTF-8 character is never split."""
    pieces = []
    current, size = [], 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > ICAL_LINE_OCTETS:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n".join(pieces)
