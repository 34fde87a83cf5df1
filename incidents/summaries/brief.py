"""What an incident summary is made from and what it says. Pure data, no Django.

The Django layer (summaries.py) turns an incident into an `IncidentBrief`: the incident's facts
and its sources, each source with a citation ref. A backend (summarising.py offline,
llm_summariser.py) turns the brief into a `Summary`: statements, each naming the refs it rests
on. faithfulness.py checks every claim of a summary against the brief. The renderers below are
the one way a time, a duration or a count is written, so the check can recognise them.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from incidents.extraction import regions

WHY_SENTENCES = (2, 4)  # sentences in "Why this matters"
TAKEAWAYS = (3, 6)
RELATED_WINDOW_DAYS = 30
MAX_SERVICES_NAMED = 3  # in a sentence; the scope takeaway names up to MAX_SERVICES_LISTED
MAX_SERVICES_LISTED = 8
MAX_REGIONS_NAMED = 4  # likewise for regions
MAX_REGIONS_LISTED = 8


@dataclass(frozen=True)
class SourceDoc:
    """One citable source: a news article, a vendor status post, or one update of a post."""

    ref: str  # what a citation names: "article:12" or "update:34"
    kind: str  # "news", "status" (a vendor post as a whole) or "update" (one update of a post)
    publisher: str  # the source's name: "The Register", "GitHub status"
    title: str
    text: str  # plain text
    published_at: datetime
    url: str = ""
    status: str = ""  # the lifecycle word of a status post or update
    # What extraction found in it (ArticleFacts), so a fact can cite the sources that state it.
    incident_ids: tuple[str, ...] = ()
    error_messages: tuple[str, ...] = ()
    region_labels: tuple[str, ...] = ()
    service_names: tuple[str, ...] = ()
    vendor_names: tuple[str, ...] = ()
    is_copy: bool = False  # a syndicated copy of an earlier source

    @property
    def outlet(self) -> str:
        """Who published it, one name per site: two feeds of one outlet ("Ars Technica" and "Ars
        Technica RCA") are one outlet, arstechnica.com. The publisher's name when there is no address."""
        return site_of(self.url) or self.publisher

    @property
    def origin(self) -> str:
        """The document a citation chip points at: a status post and its updates are one."""
        return self.url or f"{self.publisher}\n{self.title}"


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})


def site_of(url: str) -> str:
    """The registrable part of a URL's host: "go.theregister.com" → "theregister.com",
    "www.bbc.co.uk" → "bbc.co.uk"; "" when there is none."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    labels = host.split(".")
    if len(labels) < 2 or host.replace(".", "").isdigit():
        return host
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


@dataclass(frozen=True)
class RelatedIncident:
    """An earlier incident of the same service (or, for several services, the same vendor) within
    RELATED_WINDOW_DAYS, planned maintenance left out: for the history sentence and takeaway."""

    slug: str
    title: str
    started_at: datetime
    resolved_at: datetime | None
    ref: str  # a source of that incident, cited by the history claim
    ref_text: str = ""  # that source's title and text, so the check can read it


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    description: str = ""  # from the catalogue: what it is and who depends on it
    vendor: str = ""  # its vendor's name


@dataclass(frozen=True)
class IncidentBrief:
    """Everything a summary may say about an incident, and the sources it may cite."""

    title: str
    status: str  # an Incident.Status value: reported, investigating, …, resolved
    severity: str  # our scale's word: unknown, maintenance, minor, major, critical
    started_at: datetime
    first_reported_at: datetime
    as_of: datetime  # when the brief was made: "not yet acknowledged" is true as of this moment
    vendor: str = ""  # the vendor's name, empty when unknown
    vendor_description: str = ""
    subject: str = ""  # what is down when the catalogue does not know it
    services: tuple[ServiceInfo, ...] = ()
    region_labels: tuple[str, ...] = ()  # labels of incidents.regions
    vendor_incident_ids: tuple[str, ...] = ()
    error_messages: tuple[str, ...] = ()
    vendor_severity: str = ""
    resolved_at: datetime | None = None
    vendor_acknowledged_at: datetime | None = None
    # The news source that reports the vendor's acknowledgement ("article:12"), when no post of the vendor's does.
    acknowledged_in: str = ""
    post_incident_report: str = ""  # the source that is its post-incident report ("article:12"), if any
    first_press_at: datetime | None = None
    # We poll this vendor's status page and it answered after the first press report, so its
    # silence means something.
    vendor_status_page_watched: bool = False
    related: tuple[RelatedIncident, ...] = ()  # the most recent few
    related_count: int = 0  # every earlier incident of the same service (or vendor) in the window
    sources: tuple[SourceDoc, ...] = ()  # oldest first

    @property
    def own_services(self) -> tuple[ServiceInfo, ...]:
        """The vendor's own services among the incident's (all of them when the vendor is unknown)."""
        return tuple(s for s in self.services if not self.vendor or not s.vendor or s.vendor == self.vendor)

    @property
    def other_services(self) -> tuple[ServiceInfo, ...]:
        """Services of other vendors: victims ("also affected"), never named as the vendor's."""
        own = self.own_services
        return tuple(s for s in self.services if s not in own)

    @property
    def affected(self) -> str:
        """What is down, in words: the vendor's services (a few by name), else what the reports name with
        its vendor ("Chromecast (Google)"), else the vendor, else the subject."""
        if self.own_services:
            return self.services_named(MAX_SERVICES_NAMED)
        if self.subject and self.vendor and self.subject != self.vendor:
            return f"{self.subject} ({self.vendor})"
        return self.vendor or self.subject or ""

    def services_named(self, limit: int) -> str:
        """The vendor's own services: "A, B and C", or "A, B and 7 other Google Cloud services" past the limit."""
        names = [s.name for s in self.own_services]
        if len(names) <= limit:
            return join_words(names)
        others = f"{len(names) - limit + 1} other {self.vendor + ' ' if self.vendor else ''}services"
        return join_words([*names[:limit - 1], others])

    @property
    def history_subject(self) -> str:
        """What earlier incidents are counted by: the one service, else the vendor."""
        return self.services[0].name if len(self.services) == 1 else self.vendor or self.affected

    @property
    def region_names(self) -> list[str]:
        """The regions as a reader names them, a metro or country left out where one of its cloud
        regions is named ("Google Cloud europe-west3" says Frankfurt); empty for a global incident."""
        if regions.GLOBAL in self.region_labels:
            return []
        inside = {parent for label in self.region_labels if regions.kind_of(label) == "cloud_region"
                  for parent in regions.expand(label) if parent != label}
        return [display_region(label) for label in self.region_labels if label not in inside]

    @property
    def is_global(self) -> bool:
        return regions.GLOBAL in self.region_labels

    def regions_named(self, limit: int) -> str:
        """"worldwide", "A, B and C", or "A, B and 12 other regions" past the limit."""
        if self.is_global:
            return "worldwide"
        names = self.region_names
        if len(names) <= limit:
            return join_words(names)
        return join_words([*names[:limit - 1], f"{len(names) - limit + 1} other regions"])

    @property
    def news(self) -> list[SourceDoc]:
        return [s for s in self.sources if s.kind == "news"]

    @property
    def vendor_posts(self) -> list[SourceDoc]:
        return [s for s in self.sources if s.kind in ("status", "update")]

    @property
    def updates(self) -> list[SourceDoc]:
        """The vendor's individual status updates, oldest first."""
        return [s for s in self.sources if s.kind == "update"]

    @property
    def news_outlets(self) -> int:
        return len({s.outlet for s in self.news if not s.is_copy})

    @property
    def is_maintenance(self) -> bool:
        return self.status in ("scheduled", "in_progress", "completed") or self.severity == "maintenance"

    @property
    def is_over(self) -> bool:
        """Resolved or completed, with or without an end time (a post closed with no time apart from its
        start, a report that only says it is over)."""
        return self.resolved_at is not None or self.status in ("resolved", "completed")

    def source(self, ref: str) -> SourceDoc | None:
        return next((s for s in self.sources if s.ref == ref), None)

    def refs(self) -> set[str]:
        return {s.ref for s in self.sources} | {r.ref for r in self.related}


@dataclass(frozen=True)
class Statement:
    """One sentence of "Why this matters" or one key takeaway, with the sources it rests on."""

    text: str
    citations: tuple[str, ...]
    kind: str = ""  # for takeaways: scope, acknowledgement, errors, latest, impact, workaround, resolution, history…
    links: tuple[tuple[str, str], ...] = ()  # (title, incident slug): related incidents the statement names

    def to_json(self) -> dict:
        data = {"text": self.text, "citations": list(self.citations)}
        if self.kind:
            data["kind"] = self.kind
        if self.links:
            data["links"] = [{"title": title, "incident": slug} for title, slug in self.links]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Statement":
        return cls(
            text=str(data.get("text", "")),
            citations=tuple(str(c) for c in data.get("citations", ())),
            kind=str(data.get("kind", "")),
            links=tuple((str(link["title"]), str(link["incident"])) for link in data.get("links", ())),
        )


@dataclass(frozen=True)
class Summary:
    why_this_matters: tuple[Statement, ...]
    takeaways: tuple[Statement, ...]
    enough_information: bool = True  # False: the summary says "not enough information yet"
    backend: str = "offline"
    notes: tuple[str, ...] = field(default=())  # why a backend's output was not used, for the log and admin

    @property
    def why_text(self) -> str:
        return " ".join(s.text for s in self.why_this_matters)

    def statements(self) -> list[Statement]:
        return [*self.why_this_matters, *self.takeaways]

    def citations(self) -> set[str]:
        return {ref for s in self.statements() for ref in s.citations}


def missing_parts(summary: Summary) -> list[str]:
    """What a complete summary lacks: the paragraph, 3-6 takeaways, a citation on every statement."""
    missing = []
    low, high = WHY_SENTENCES
    if not summary.why_this_matters:
        missing.append("why-this-matters: missing")
    elif not low <= len(summary.why_this_matters) <= high:
        missing.append(f"why-this-matters: {len(summary.why_this_matters)} sentences, expected {low}-{high}")
    low, high = TAKEAWAYS
    if not low <= len(summary.takeaways) <= high:
        missing.append(f"takeaways: {len(summary.takeaways)}, expected {low}-{high}")
    for number, statement in enumerate(summary.why_this_matters, 1):
        if not statement.citations:
            missing.append(f"citations: why-this-matters sentence {number} cites nothing")
    for number, statement in enumerate(summary.takeaways, 1):
        if not statement.citations:
            missing.append(f"citations: takeaway {number} cites nothing")
    return missing


# --- how facts are written -------------------------------------------------------------------------

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_NAMES_WITH_THE = frozenset({"United States", "United Kingdom", "Netherlands", "Philippines", "United Arab Emirates",
                             "Middle East", "Americas"})
_CLOUD_PROVIDERS = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}


def format_time(moment: datetime, reference: datetime | None = None) -> str:
    """"14:05 UTC on 27 Nov 2026"; the year is left out when `reference` is in the same year."""
    moment = moment.astimezone(UTC)
    if reference is not None and reference.astimezone(UTC).year == moment.year:
        return f"{moment:%H:%M} UTC on {moment.day} {moment:%b}"
    return f"{moment:%H:%M} UTC on {moment.day} {moment:%b %Y}"


def format_span(start: datetime, end: datetime, reference: datetime | None = None) -> str:
    """"from 17:20 to 20:24 UTC on 4 Jun", or with both dates when it crosses midnight."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if start.date() == end.date():
        return f"from {start:%H:%M} to {format_time(end, reference)}"
    return f"from {format_time(start, reference)} until {format_time(end, reference)}"


def format_date(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y}"


def format_duration(span: timedelta) -> str:
    """"45 min", "2 h 15 min", "3 days 4 h": two units at most, rounded down to the minute."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        day_word = "day" if days == 1 else "days"
        return f"{days} {day_word} {hours} h" if hours else f"{days} {day_word}"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def ordinal(number: int) -> str:
    """"first" … "tenth", then "11th", "21st", "32nd", "101st", "111th", "112th", "113th"."""
    if 1 <= number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def join_words(words: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    words = [w for w in words if w]
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def display_region(label: str) -> str:
    """A region label as a reader knows it: "aws:us-east-1" → "AWS us-east-1", "United States" →
    "the United States"."""
    provider, _, region_id = label.partition(":")
    if region_id and provider in _CLOUD_PROVIDERS:
        return f"{_CLOUD_PROVIDERS[provider]} {region_id}"
    return f"the {label}" if label in _NAMES_WITH_THE else label


def stated_values(brief: IncidentBrief) -> set[str]:
    """Every time, duration, count and name the brief's facts allow a summary to state, written
    the way the renderers above write them. faithfulness.py accepts these without a source quote."""
    values: set[str] = {brief.title, brief.vendor, brief.subject, brief.severity, brief.vendor_severity,
                        *brief.vendor_incident_ids, *brief.error_messages, *brief.region_labels,
                        *brief.region_names, str(RELATED_WINDOW_DAYS)}
    if brief.vendor_description:
        values.add(brief.vendor_description)
    for service in brief.services:
        values.update((service.name, service.description))
    moments = [brief.started_at, brief.first_reported_at, brief.as_of, brief.resolved_at,
               brief.vendor_acknowledged_at, brief.first_press_at]
    moments += [s.published_at for s in brief.sources]
    for related in brief.related:
        moments += [related.started_at, related.resolved_at]
        if related.resolved_at:
            values.add(format_duration(related.resolved_at - related.started_at))
    for moment in filter(None, moments):
        values.update((format_time(moment), format_time(moment, brief.as_of), format_date(moment)))
    end = brief.resolved_at or brief.as_of
    values.add(format_duration(end - brief.started_at))
    values.add(format_duration(brief.as_of - brief.first_reported_at))
    if brief.vendor_acknowledged_at and brief.first_press_at:
        values.add(format_duration(brief.vendor_acknowledged_at - brief.first_press_at))
    for limit in (MAX_SERVICES_NAMED, MAX_SERVICES_LISTED):
        if len(brief.own_services) > limit:
            values.add(brief.services_named(limit))
    for limit in (MAX_REGIONS_NAMED, MAX_REGIONS_LISTED):
        values.add(brief.regions_named(limit))
    counts = {len(brief.news), brief.news_outlets, len(brief.vendor_posts), len(brief.updates),
              len(brief.sources), len(brief.related), brief.related_count, brief.related_count + 1}
    values.update(str(n) for n in counts)
    values.update(ordinal(n) for n in counts if n)
    return {v for v in values if v}
