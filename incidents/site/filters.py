"""The incident filters readers set with GET parameters, shared by the timeline and the feeds. Pure.

Every view is a shareable URL: ?vendor=github&service=github-actions&status=ongoing&severity=major
&region=Europe&from=2026-11-01&to=2026-11-27. A value that cannot be used is dropped with a readable
problem, naming it, for the page to show (`unusable`; feeds refuse it instead: feed_params.py). The
one exception is a well-formed day outside EARLIEST_DAY … LATEST_DAY: it is refused (FilterRefused,
its message as readable), and pages and feeds answer 400 with it rather than quietly widen or empty
what was asked for.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from incidents.extraction import regions

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")
# "ongoing" and "resolved" are what readers ask for; the vendor's lifecycle words work too.
STATUSES = ("ongoing", "resolved", "reported", "quiet", "investigating", "identified", "monitoring",
            "scheduled", "in_progress", "completed")
SEVERITIES = {"maintenance": 1, "minor": 2, "major": 3, "critical": 4}
SLUG_EXAMPLES = {"vendor": "github", "service": "github-actions"}
MAX_VALUE = 200  # longer values are not a slug, a word or a region: dropped unread
# The days a filter may name: every day an outage could have been reported on, and far enough inside
# what Python's dates hold that the views' arithmetic around them (the day after `to`, the 7-day
# chart and its lookback before it) cannot overflow, as it did for to=9999-12-31.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class FilterRefused(ValueError):
    """A filter no answer can honour; `problems` say why, in words for the reader."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class IncidentFilter:
    vendor: str = ""  # a vendor slug
    service: str = ""  # a service slug
    status: str = ""  # one of STATUSES
    severity: str = ""  # a key of SEVERITIES
    region: str = ""  # a label of incidents.extraction.regions; matches the regions inside it too
    start: date | None = None  # incidents started on or after this day (UTC)
    end: date | None = None  # … and on or before this one
    problems: tuple[str, ...] = field(default=(), compare=False)  # everything the page should say
    unusable: tuple[str, ...] = field(default=(), compare=False)  # those of them about a value left out

    @property
    def is_empty(self) -> bool:
        return self == IncidentFilter()

    def as_params(self) -> dict[str, str]:
        """The GET parameters that give this filter, in a fixed order (for links and feed URLs)."""
        values = {"vendor": self.vendor, "service": self.service, "status": self.status, "severity": self.severity,
                  "region": self.region, "from": self.start.isoformat() if self.start else "",
                  "to": self.end.isoformat() if self.end else ""}
        return {name: value for name, value in values.items() if value}

    @property
    def severity_level(self) -> int | None:
        return SEVERITIES.get(self.severity)


def parse_filter(params: Mapping[str, str]) -> IncidentFilter:
    """The filter the GET parameters ask for; unusable values are left out and named in `problems`
    and `unusable`. Raises FilterRefused for a day outside EARLIEST_DAY … LATEST_DAY."""
    unusable: list[str] = []
    refused: list[str] = []

    def value(name: str) -> str:
        raw = (params.get(name) or "").strip()
        if len(raw) > MAX_VALUE:
            unusable.append(f"malformed {name}: the value is longer than {MAX_VALUE} characters")
            return ""
        return raw

    def slug(name: str) -> str:
        raw = value(name)
        if raw and not SLUG.match(raw):
            unusable.append(f"malformed {name} {raw!r}; give its name as in the address of its page, such as "
                            f"{SLUG_EXAMPLES[name]}")
            return ""
        return raw.lower()

    def choice(name: str, allowed) -> str:
        raw = value(name).lower()
        if raw and raw not in allowed:
            unusable.append(f"unknown {name} {raw!r}; use one of {', '.join(allowed)}")
            return ""
        return raw

    def day(name: str) -> date | None:
        raw = value(name)
        if not raw:
            return None
        try:
            given = date.fromisoformat(raw)
        except ValueError:
            unusable.append(f"malformed {name} {raw!r}; write a day as YYYY-MM-DD")
            return None
        if not EARLIEST_DAY <= given <= LATEST_DAY:
            refused.append(f"{name}: {raw!r} is outside the days OutageHub can show; give a day from "
                           f"{EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}")
            return None
        return given

    region = value("region")
    label = region_label(region) if region else ""
    if region and not label:
        unusable.append(f"unknown region {region!r}; use a city, country, continent or cloud region, such as "
                        f"Frankfurt, Europe or aws:us-east-1")
    found = IncidentFilter(
        vendor=slug("vendor"), service=slug("service"), status=choice("status", STATUSES),
        severity=choice("severity", tuple(SEVERITIES)), region=label, start=day("from"), end=day("to"),
    )
    if refused:
        raise FilterRefused(refused)
    notes = []
    if found.start and found.end and found.start > found.end:
        notes.append("from is after to: the dates were swapped")
        found = replace(found, start=found.end, end=found.start)
    return replace(found, problems=(*unusable, *notes), unusable=tuple(unusable))


def region_label(written: str) -> str:
    """The vocabulary's label for a region as typed ("frankfurt" → "Frankfurt") or as a source writes
    it ("us-east-1" → "aws:us-east-1") when that names exactly one region; empty when unknown."""
    label = regions.label_named(written)
    if label:
        return label
    found = {mention.label for mention in regions.find_regions(written)}
    return found.pop() if len(found) == 1 else ""
