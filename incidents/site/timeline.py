"""Shaping incidents for the reader's pages: rows, days, pages, months, medians and chart lanes.

Pure: plain values in, plain values out (no Django), so each rule is tested on its own.
"""

import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from articles.links import web_link as web_link  # the one link checker; views and search take it from here
from incidents.extraction.regions import GLOBAL
from incidents.summaries.brief import display_region, format_duration

# A page position: the sort time (to the microsecond) and primary key of an edge row.
_CURSOR = re.compile(r"^(\d{20})-(\d{1,18})$")
_CURSOR_TIME = "%Y%m%d%H%M%S%f"
OTHER_LANE = "Other vendors"


@dataclass(frozen=True)
class Cursor:
    """Where a page of a list starts: keyset paging costs the same on page 1 and page 1,000 (OFFSET
    would read and throw away every row before it), and a page stays the same when new rows arrive."""

    at: datetime  # the edge row's sort time: the timeline's started_at, a feed's updated_at
    pk: int

    def encode(self) -> str:
        return f"{self.at.astimezone(UTC):{_CURSOR_TIME}}-{self.pk}"

    @classmethod
    def parse(cls, text: str) -> "Cursor | None":
        """The cursor a link carried, or None for anything else (typed by hand, truncated, tampered)."""
        match = _CURSOR.match(text or "")
        if not match:
            return None
        try:
            moment = datetime.strptime(match[1], _CURSOR_TIME).replace(tzinfo=UTC)
        except ValueError:
            return None
        return cls(moment, int(match[2]))


@dataclass(frozen=True)
class Row:
    """One incident as every list of incidents shows it, each value ready to print: a page of rows
    then costs the template a few lookups per row, not a query, a reverse() or a method call."""

    url: str
    title: str
    vendor: str  # the vendor's name, else what is down ("Fortnite"), else ""
    vendor_url: str
    status: str  # the badge's words
    status_label: str  # the full status, the badge's title
    is_open: bool
    severity: int
    severity_word: str
    vendor_severity: str
    started_at: datetime
    resolved_at: datetime | None
    news_count: int
    status_count: int
    acknowledged: bool
    regions: tuple[str, ...]  # labels
    clock_only: bool = False  # under a day heading: the start (and a same-day end) as a time of day
    last_update_at: datetime | None = None  # the latest post or report: how fresh "happening now" is

    @property
    def lasted(self) -> str:
        return format_duration(self.resolved_at - self.started_at) if self.resolved_at else ""

    @property
    def resolved_clock_only(self) -> bool:
        return (self.clock_only and self.resolved_at is not None
                and self.resolved_at.astimezone(UTC).date() == self.started_at.astimezone(UTC).date())

    @property
    def sources(self) -> str:
        return (f"{self.news_count} news report{'' if self.news_count == 1 else 's'}, "
                f"{self.status_count} vendor post{'' if self.status_count == 1 else 's'}")

    @property
    def region_text(self) -> str:
        return regions_in_brief(self.regions)


def status_word(status: str, label: str) -> str:
    """A status badge's words: the status's label, but for a press-only incident with no recent
    report, which its badge says plainly."""
    return "no recent reports" if status == "quiet" else label


def group_by_day(items: Iterable, moment: Callable = lambda item: item.started_at) -> list[tuple[date, list]]:
    """Consecutive items that share a UTC day, in the order given: [(day, [items])]."""
    groups: list[tuple[date, list]] = []
    for item in items:
        day = moment(item).astimezone(UTC).date()
        if groups and groups[-1][0] == day:
            groups[-1][1].append(item)
        else:
            groups.append((day, [item]))
    return groups


def month_spans(now: datetime, count: int = 12) -> list[tuple[datetime, datetime]]:
    """[start, end) of each of the last `count` months (UTC), this month included, oldest first."""
    now = now.astimezone(UTC)
    this_month = now.year * 12 + now.month - 1  # months since January of year 0

    def start(month: int) -> datetime:
        return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)

    return [(start(month), start(month + 1)) for month in range(this_month - count + 1, this_month + 1)]


def median_span(spans: Iterable[timedelta]) -> timedelta | None:
    values = list(spans)
    return statistics.median(values) if values else None


def time_to_acknowledge(first_press: datetime | None, acknowledged: datetime | None) -> timedelta | None:
    """From the first press report to the vendor's first post, when both exist. A vendor that posted
    before the press kept no one waiting: zero, not a negative span."""
    if first_press is None or acknowledged is None:
        return None
    return max(acknowledged - first_press, timedelta(0))


def region_name(label: str) -> str:
    return "worldwide" if label == GLOBAL else display_region(label)


def region_names(labels: Iterable[str]) -> list[str]:
    """Region labels as readers know them; "worldwide" alone when the incident is global."""
    labels = list(labels)
    if GLOBAL in labels:
        return ["worldwide"]
    return [region_name(label) for label in labels]


def regions_in_brief(labels: Iterable[str], limit: int = 5) -> str:
    """"Frankfurt, AWS eu-central-1", or the first few and "and 7 more" past the limit."""
    names = region_names(labels)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit - 1])} and {len(names) - limit + 1} more"


@dataclass(frozen=True)
class Bar:
    """One incident on the 7-day chart; `end` is None while it is ongoing."""

    start: datetime
    end: datetime | None
    severity: int
    title: str


@dataclass(frozen=True)
class Lane:
    name: str
    bars: tuple[Bar, ...]


def lanes_by_vendor(rows: Iterable[tuple[str, Bar]], limit: int = 10) -> list[Lane]:
    """One lane per vendor, the busiest first (then by name); past `limit` lanes the rest share
    one "Other vendors" lane so the chart stays compact."""
    by_vendor: dict[str, list[Bar]] = defaultdict(list)
    for vendor, bar in rows:
        by_vendor[vendor or OTHER_LANE].append(bar)
    ranked = sorted(by_vendor, key=lambda name: (name == OTHER_LANE, -len(by_vendor[name]), name.lower()))
    if len(ranked) > limit:
        kept, folded = ranked[:limit - 1], ranked[limit - 1:]
        by_vendor[OTHER_LANE] = [bar for name in folded for bar in by_vendor[name]]
        ranked = [*kept, OTHER_LANE]
    return [Lane(name, tuple(sorted(by_vendor[name], key=lambda bar: bar.start))) for name in ranked]
