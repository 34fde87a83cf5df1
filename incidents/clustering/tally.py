"""What an incident says, kept as a running total of its members (pure).

Deriving an incident from every member each time one joined made a join cost the incident's size
(0.43 s at 2,000 members, under the assignment lock). Instead each member's :class:`Share` (its
times, vendors, services, regions, ids, errors, and its vendor post's lifecycle) is computed once,
and the incident keeps the :class:`Tally` of its members' shares: counts, extremes (the earliest
report, the latest news, the furthest open status) and, for each vendor, region, id or error, how
many members name it and which named it first. Everything the pipeline derives (lifecycle, vendor,
services, regions, ids, errors, counts, title) follows from the tally alone.

Adding a share is exact. A member that changed is replaced, old share out and new share in: exact
unless the old share held an extreme, or a value's first mention, that the new one no longer
reaches, since the tally does not keep the runner-up. :meth:`Tally.replace` then returns None and
the caller rebuilds the tally from every member, as curation does after moving sources.

Ties are broken by :data:`Order` (publication time, then article id), never by the order members
were added: adding members one by one gives the same tally as adding them all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from articles.items import VendorStatus
from incidents.clustering import lifecycle

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

Order = tuple[int, int, int]  # publication time (µs since 1970), article id, position in the article's list
Key = tuple[int, ...]  # of an extreme: the smallest key wins


def micros(t: datetime) -> int:
    """A time as whole microseconds since 1970: exact, comparable, valid JSON, from year 1 to 9999."""
    return (t - EPOCH) // MICROSECOND


def from_micros(n: int) -> datetime:
    return EPOCH + n * MICROSECOND


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- one member's share ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A vendor status post's part: its title, vendor and lifecycle (lifecycle.post_state)."""

    title: str
    vendor_name: str
    state: lifecycle.PostState


@dataclass(frozen=True)
class Share:
    """What one member adds to its incident. Value lists keep the article's order, each value once."""

    article_id: int
    published_at: datetime
    last_changed_at: datetime  # when it last told something new (pipeline.told_at): the incident's last activity
    is_copy: bool = False  # a near-identical copy of another member: one story, counted once
    says_resolved: bool = False  # news reporting the service restored
    outlet: str = ""  # who published it (a news site's host): outlets are counted, not feeds
    stated_start: datetime | None = None  # the start a report states ("since 6:48 a.m. ET")
    stated_end: datetime | None = None  # the end a report that says resolved states
    acknowledged_at: datetime | None = None  # a report says the vendor acknowledged it (then)
    postmortem: bool = False  # a post-incident report (press, or the vendor's postmortem post)
    postmortem_promised: bool = False  # the vendor says one will follow
    severity: int = 0  # the scale a report states (press_claims.stated_severity)
    severity_reason: str = ""
    caused_by: str = ""  # the vendor a status post blames for its outage (a cascade's root)
    vendors: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    incident_ids: tuple[str, ...] = ()
    error_messages: tuple[str, ...] = ()
    post: Post | None = None  # None for news

    def __post_init__(self) -> None:
        for name in ("vendors", "services", "regions", "incident_ids", "error_messages"):
            object.__setattr__(self, name, tuple(dict.fromkeys(v for v in getattr(self, name) if v)))

    def order(self, position: int = 0) -> Order:
        return (micros(self.published_at), self.article_id, position)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "article_id": self.article_id, "published_at": _iso(self.published_at),
            "last_changed_at": _iso(self.last_changed_at), "is_copy": self.is_copy,
            "says_resolved": self.says_resolved, "vendors": list(self.vendors), "services": list(self.services),
            "regions": list(self.regions), "incident_ids": list(self.incident_ids),
            "error_messages": list(self.error_messages), "post": None,
            "outlet": self.outlet, "stated_start": _iso(self.stated_start), "stated_end": _iso(self.stated_end),
            "acknowledged_at": _iso(self.acknowledged_at), "postmortem": self.postmortem,
            "postmortem_promised": self.postmortem_promised, "severity": self.severity,
            "severity_reason": self.severity_reason, "caused_by": self.caused_by,
        }
        if self.post is not None:
            state = self.post.state
            data["post"] = {
                "title": self.post.title, "vendor_name": self.post.vendor_name,
                "status": state.status.value if state.status else "", "started_at": _iso(state.started_at),
                "ended_at": _iso(state.ended_at), "acknowledged_at": _iso(state.acknowledged_at),
                "severity": state.severity, "severity_word": state.severity_word, "end_stated": state.end_stated,
                "updated_at": _iso(state.updated_at),
            }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Share:
        post = data.get("post")
        return cls(
            article_id=int(data["article_id"]), published_at=_time(data["published_at"]),
            last_changed_at=_time(data["last_changed_at"]), is_copy=bool(data.get("is_copy")),
            says_resolved=bool(data.get("says_resolved")), vendors=tuple(data.get("vendors") or ()),
            services=tuple(data.get("services") or ()), regions=tuple(data.get("regions") or ()),
            incident_ids=tuple(data.get("incident_ids") or ()), error_messages=tuple(data.get("error_messages") or ()),
            outlet=data.get("outlet") or "", stated_start=_time(data.get("stated_start")),
            stated_end=_time(data.get("stated_end")), acknowledged_at=_time(data.get("acknowledged_at")),
            postmortem=bool(data.get("postmortem")), postmortem_promised=bool(data.get("postmortem_promised")),
            severity=int(data.get("severity") or 0), severity_reason=data.get("severity_reason") or "",
            caused_by=data.get("caused_by") or "",
            post=None if not post else Post(post["title"], post["vendor_name"], lifecycle.PostState(
                status=VendorStatus(post["status"]) if post["status"] else None,
                started_at=_time(post["started_at"]), ended_at=_time(post["ended_at"]),
                acknowledged_at=_time(post["acknowledged_at"]), severity=int(post["severity"]),
                severity_word=post["severity_word"], end_stated=bool(post.get("end_stated")),
                updated_at=_time(post.get("updated_at")))),
        )


# --- what a share adds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    counts: dict[str, int]
    extremes: dict[str, tuple[Key, Any]]  # name -> (key, payload)
    values: dict[str, dict[str, Order]]  # name -> value -> where this share names it


def _parts(s: Share) -> _Parts:
    t = micros(s.published_at)
    counts = {"members": 1}
    extremes: dict[str, tuple[Key, Any]] = {"last_activity": ((-micros(s.last_changed_at),), None)}
    values = {name: {v: s.order(i) for i, v in enumerate(getattr(s, name))}
              for name in ("vendors", "services", "regions", "incident_ids", "error_messages")}
    post = s.post
    if s.postmortem:  # explains an outage that is over: neither reports it again nor reopens it
        extremes["postmortem"] = ((t, s.article_id), None)
        extremes["first_reported"] = ((t,), None)
    if s.postmortem_promised:
        counts["postmortem_promised"] = 1
    if s.caused_by:
        values["caused_by"] = {s.caused_by: s.order()}
    if s.acknowledged_at is not None:
        extremes["press_acknowledged"] = ((micros(s.acknowledged_at), s.article_id), None)
    if post is None:
        counts["news"] = 0 if s.is_copy else 1
        if s.outlet and not s.is_copy:
            values["outlets"] = {s.outlet: s.order()}
        if s.severity:
            extremes["press_severity"] = ((-s.severity, t, s.article_id), s.severity_reason)
        if not s.postmortem:
            extremes["first_reported"] = ((t,), None)
            extremes["latest_news"] = ((-t, s.article_id), s.says_resolved)
            if s.stated_start is not None:
                extremes["stated_start"] = ((micros(s.stated_start),), None)
            if s.says_resolved:
                extremes["latest_resolved_report"] = ((-t, s.article_id), _iso(s.stated_end))
    else:
        state = post.state
        counts["posts"] = 1
        counts["unplanned_posts"] = 0 if state.status in lifecycle.MAINTENANCE else 1
        extremes["first_reported"] = ((min(t, micros(state.started_at)),), None)
        extremes["acknowledged"] = ((micros(state.acknowledged_at),), None)
        # Of every post, not only open ones: a post that closes moves it later, which the tally can
        # replace exactly (an extreme that vanished could not be).
        extremes["post_updated"] = ((-micros(state.updated_at or state.acknowledged_at),), None)
        extremes["first_post"] = ((t, s.article_id), post.title)
        if state.severity:
            extremes["severity"] = ((-state.severity, t, s.article_id), state.severity_word)
        if state.ended_at is None:
            counts["open_posts"] = 1
            values["open_statuses"] = {state.status.value if state.status else "": s.order()}
        else:
            extremes["last_end"] = ((-micros(state.ended_at),), state.end_stated)
        if post.vendor_name:
            values["post_vendors"] = {post.vendor_name: s.order()}
    return _Parts(counts, extremes, values)


# --- the tally -----------------------------------------------------------------------------------------


class _Inexact(Exception):
    """Taking a share out lost an extreme the tally cannot find again without the other members."""


@dataclass(frozen=True)
class Tally:
    """The sum of an incident's shares; JSON with to_dict/from_dict."""

    counts: Mapping[str, int] = field(default_factory=dict)
    extremes: Mapping[str, tuple[Key, Any]] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, tuple[int, Order]]] = field(default_factory=dict)  # value -> (members, first)

    @classmethod
    def of(cls, shares: Iterable[Share]) -> Tally:
        tally = cls()
        for share in shares:
            tally = tally.add(share)
        return tally

    def add(self, share: Share) -> Tally:
        return self._combine(None, _parts(share))

    def replace(self, old: Share, new: Share) -> Tally | None:
        """The tally with a member's old share swapped for its new one; None when that cannot be
        known without the other members (rebuild the tally from all of them)."""
        try:
            return self._combine(_parts(old), _parts(new))
        except _Inexact:
            return None

    def _combine(self, old: _Parts | None, new: _Parts) -> Tally:
        counts = dict(self.counts)
        for name, n in (old.counts if old else {}).items():
            counts[name] = counts.get(name, 0) - n
        for name, n in new.counts.items():
            counts[name] = counts.get(name, 0) + n
        extremes = dict(self.extremes)
        for name in {*(old.extremes if old else ()), *new.extremes}:
            extremes[name] = _swap_extreme(extremes.get(name), old.extremes.get(name) if old else None,
                                           new.extremes.get(name))
        values = {}
        for name in {*self.values, *(old.values if old else ()), *new.values}:
            values[name] = _swap_values(self.values.get(name, {}), old.values.get(name, {}) if old else {},
                                        new.values.get(name, {}))
        return Tally({k: v for k, v in counts.items() if v}, {k: v for k, v in extremes.items() if v is not None},
                     {k: v for k, v in values.items() if v})

    # --- what follows from it ----------------------------------------------------------------------

    @property
    def members(self) -> int:
        return self.counts.get("members", 0)

    @property
    def news_count(self) -> int:
        return self.counts.get("news", 0)

    @property
    def status_count(self) -> int:
        return self.counts.get("posts", 0)

    def named(self, name: str) -> list[str]:
        """The values of one kind (regions, incident_ids, ...) in the order members first named them."""
        return sorted(self.values.get(name, {}), key=lambda v: self.values[name][v][1])

    def top_vendor(self) -> str | None:
        """The vendor most members name (the first named, on a tie)."""
        vendors = self.values.get("vendors", {})
        return min(vendors, key=lambda v: (-vendors[v][0], vendors[v][1])) if vendors else None

    def post_vendors(self) -> list[str]:
        return sorted(self.values.get("post_vendors", {}))

    @property
    def last_activity_at(self) -> datetime | None:
        return self._time("last_activity", negated=True)

    @property
    def first_post_title(self) -> str | None:
        first = self.extremes.get("first_post")
        return first[1] if first else None

    @property
    def outlets(self) -> int:
        return len(self.values.get("outlets", {}))

    def article_of(self, name: str) -> int | None:
        """The article that holds an extreme keyed (time, article id): the first post-incident report
        ("postmortem") or the first report of the vendor's acknowledgement ("press_acknowledged")."""
        extreme = self.extremes.get(name)
        return int(extreme[0][1]) if extreme else None

    @property
    def caused_by(self) -> str:
        """The vendor its posts blame for the outage, first named; "" when none does."""
        named = self.named("caused_by")
        return named[0] if named else ""

    @property
    def postmortem_promised(self) -> bool:
        return bool(self.counts.get("postmortem_promised"))

    def lifecycle(self, now: datetime | None = None,
                  quiet_after: timedelta = lifecycle.QUIET_AFTER) -> lifecycle.Lifecycle | None:
        """The incident's lifecycle (lifecycle.decide) as of `now` (None: no quiet period applies);
        None for an incident with no members."""
        if not self.members:
            return None
        open_statuses = self.values.get("open_statuses", {})
        furthest = min(open_statuses, key=lambda s: (-lifecycle.progress_of(_status(s)), open_statuses[s][1]),
                       default="")
        severity = self.extremes.get("severity")
        press_severity = self.extremes.get("press_severity")
        latest_news = self.extremes.get("latest_news")
        latest_resolved = self.extremes.get("latest_resolved_report")
        return lifecycle.decide(lifecycle.Evidence(
            first_reported_at=self._time("first_reported"),
            posts=self.counts.get("posts", 0),
            unplanned_posts=self.counts.get("unplanned_posts", 0),
            most_advanced_open=_status(furthest),
            open_posts=self.counts.get("open_posts", 0),
            acknowledged_at=self._time("acknowledged"),
            last_end=self._time("last_end", negated=True),
            last_end_stated=bool(self.extremes["last_end"][1]) if "last_end" in self.extremes else False,
            severity=(-severity[0][0], severity[1]) if severity else (0, ""),
            latest_news_says_resolved=bool(latest_news and latest_news[1]),
            stated_start=self._time("stated_start"),
            stated_end=_time(latest_resolved[1]) if latest_resolved else None,
            press_acknowledged_at=from_micros(self.extremes["press_acknowledged"][0][0])
            if "press_acknowledged" in self.extremes else None,
            last_report_at=from_micros(-latest_news[0][0]) if latest_news else None,
            press_severity=(-press_severity[0][0], press_severity[1]) if press_severity else (0, ""),
            outlets=self.outlets,
            only_post_incident_reports=not self.counts.get("posts") and "latest_news" not in self.extremes,
            post_incident_report_at=self._time("postmortem"),
            posts_updated_at=self._time("post_updated", negated=True),
        ), now=now, quiet_after=quiet_after)

    def _time(self, name: str, negated: bool = False) -> datetime | None:
        extreme = self.extremes.get(name)
        if extreme is None:
            return None
        return from_micros(-extreme[0][0] if negated else extreme[0][0])

    # --- JSON ----------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(sorted(self.counts.items())),
            "extremes": {name: [list(key), payload] for name, (key, payload) in sorted(self.extremes.items())},
            "values": {name: {v: [n, list(first)] for v, (n, first) in sorted(entries.items())}
                       for name, entries in sorted(self.values.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tally:
        return cls(
            counts={name: int(n) for name, n in (data.get("counts") or {}).items()},
            extremes={name: (tuple(key), payload) for name, (key, payload) in (data.get("extremes") or {}).items()},
            values={name: {v: (int(n), tuple(first)) for v, (n, first) in entries.items()}
                    for name, entries in (data.get("values") or {}).items()},
        )


def _status(value: str) -> VendorStatus | None:
    return VendorStatus(value) if value else None


def _swap_extreme(current: tuple[Key, Any] | None, old: tuple[Key, Any] | None,
                  new: tuple[Key, Any] | None) -> tuple[Key, Any] | None:
    """The extreme once `old` (counted in `current`) is replaced by `new`."""
    if old is not None and current is not None and old[0] <= current[0]:  # the old share held it
        if new is not None and new[0] <= old[0]:
            return new
        raise _Inexact
    if new is None or (current is not None and current[0] <= new[0]):
        return current
    return new


def _swap_values(current: Mapping[str, tuple[int, Order]], old: Mapping[str, Order],
                 new: Mapping[str, Order]) -> dict[str, tuple[int, Order]]:
    """Member counts and first mentions once `old`'s values (counted in `current`) are replaced by `new`'s."""
    out = dict(current)
    for value, where in old.items():
        count, first = out[value]
        if count == 1:
            del out[value]
        elif first == where and not (value in new and new[value] <= where):
            raise _Inexact  # its first mention left; the next one is not known here
        else:
            out[value] = (count - 1, first)
    for value, where in new.items():
        count, first = out.get(value, (0, where))
        out[value] = (count + 1, min(first, where))
    return out
