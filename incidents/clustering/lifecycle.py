"""An incident's status, start and end, derived from its vendor status posts and news reports.

Pure: simple records in, a Lifecycle out. Vendor posts decide when they exist. News alone gives a
"reported by press" incident: it starts at the earliest start a report states (else the first
report), ends only when a report says it is resolved (at the time it states, else its own), and
after a quiet period with no new report it is "no recent reports" rather than ongoing forever.
A vendor's acknowledgement that the press reports counts as acknowledged.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from articles.items import VendorStatus

# Lifecycle words in the order an incident moves through them.
PROGRESS = {
    VendorStatus.SCHEDULED: 0, VendorStatus.INVESTIGATING: 1, VendorStatus.UPDATE: 1, VendorStatus.IN_PROGRESS: 1,
    VendorStatus.IDENTIFIED: 2, VendorStatus.MONITORING: 3, VendorStatus.VERIFYING: 3,
    VendorStatus.RESOLVED: 4, VendorStatus.COMPLETED: 4, VendorStatus.POSTMORTEM: 4,
}
CLOSING = {VendorStatus.RESOLVED, VendorStatus.COMPLETED, VendorStatus.POSTMORTEM}
MAINTENANCE = {VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS, VendorStatus.VERIFYING, VendorStatus.COMPLETED}

# A press-only incident with no new report for this long is "quiet": no longer happening on anyone's word.
QUIET_AFTER = timedelta(hours=12)
# A post-incident report this long after the vendor's last update closes the posts it left open.
EXPLAINED_AFTER = timedelta(hours=6)
# Outlets covering one outage that make it at least minor, and at least major.
OUTLETS_MINOR, OUTLETS_MAJOR = 2, 4

# Severity words of every provider, on one scale (see incidents.models.Severity).
SEVERITY_SCALE = {
    "none": 2, "minor": 2, "low": 2, "notice": 2, "degraded": 2, "informational": 2, "performance": 2,
    "major": 3, "medium": 3, "incident": 3, "partial": 3, "disruption": 3,
    "critical": 4, "high": 4, "outage": 4, "security": 3,
    "maintenance": 1,
}


@dataclass(frozen=True)
class PostUpdate:
    posted_at: datetime
    status: VendorStatus


@dataclass(frozen=True)
class StatusPost:
    """A vendor status post as stored: its own fields and its updates."""

    published_at: datetime
    status: VendorStatus | None
    impact: str = ""
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: tuple[PostUpdate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NewsReport:
    published_at: datetime
    says_resolved: bool = False  # the article reports the service restored


@dataclass(frozen=True)
class Lifecycle:
    status: str  # an Incident.Status value
    started_at: datetime
    resolved_at: datetime | None
    first_reported_at: datetime
    vendor_acknowledged_at: datetime | None
    severity: int
    vendor_severity: str


@dataclass(frozen=True)
class PostState:
    """One status post reduced to what the lifecycle needs from it."""

    status: VendorStatus | None  # its newest lifecycle word
    started_at: datetime
    ended_at: datetime | None  # None while the post is open
    acknowledged_at: datetime  # its first update (or itself)
    severity: int
    severity_word: str
    end_stated: bool = False  # its end is the vendor's (a resolved time or a closing update), not its publication
    updated_at: datetime | None = None  # its latest update (or itself)


def post_state(post: StatusPost) -> PostState:
    status = _post_status(post)
    severity, word = severity_of([post.impact])
    return PostState(
        status=status,
        started_at=_post_start(post),
        ended_at=_post_end(post, status),
        acknowledged_at=min([u.posted_at for u in post.updates] or [post.published_at]),
        severity=severity,
        severity_word=word,
        end_stated=status in CLOSING and (post.resolved_at is not None
                                          or any(u.status in CLOSING for u in post.updates)),
        updated_at=max([u.posted_at for u in post.updates] or [post.published_at]),
    )


def _post_start(post: StatusPost) -> datetime:
    times = [u.posted_at for u in post.updates]
    return post.started_at or (min(times) if times else post.published_at)


def _post_status(post: StatusPost) -> VendorStatus | None:
    """The newest lifecycle word; a plain "update" never moves an incident back. A post its vendor
    has closed is closed, whatever its last update says (Google posts summaries after the end)."""
    if not post.updates or post.status in CLOSING:
        return post.status
    ordered = sorted(post.updates, key=lambda u: u.posted_at)
    latest = ordered[-1].status
    if latest == VendorStatus.UPDATE:
        meaningful = [u.status for u in ordered if u.status != VendorStatus.UPDATE]
        latest = meaningful[-1] if meaningful else (post.status or VendorStatus.INVESTIGATING)
    return latest


def _post_end(post: StatusPost, status: VendorStatus | None) -> datetime | None:
    if status not in CLOSING:
        return None
    if post.resolved_at:
        return post.resolved_at
    closing = [u.posted_at for u in post.updates if u.status in CLOSING]
    return min(closing) if closing else post.published_at


def severity_rank(word: str) -> int:
    return SEVERITY_SCALE.get(word.strip().lower().split(" ")[0], 0) if word else 0


def severity_of(words: list[str]) -> tuple[int, str]:
    """The highest severity among the vendors' words, and the word itself (the first, on a tie)."""
    best, label = 0, ""
    for word in words:
        rank = severity_rank(word)
        if rank > best:
            best, label = rank, word
    return best, label


def progress_of(status: VendorStatus | None) -> int:
    return PROGRESS.get(status, 0)


@dataclass(frozen=True)
class Evidence:
    """What the lifecycle is decided from: counts and extremes over an incident's posts and reports,
    which incidents.tally keeps up to date one member at a time."""

    first_reported_at: datetime  # the earliest post, report or post start
    posts: int = 0
    unplanned_posts: int = 0  # posts whose word is not a maintenance word
    most_advanced_open: VendorStatus | None = None  # furthest word of an open post (the earliest post's, on a tie)
    open_posts: int = 0
    acknowledged_at: datetime | None = None  # the earliest post update
    last_end: datetime | None = None  # the latest end of a closed post
    last_end_stated: bool = False  # that end is the vendor's own, even if it is the start ("retroactive" posts)
    severity: tuple[int, str] = (0, "")
    latest_news_says_resolved: bool = False  # the latest report (the earliest of those, on a tie)
    stated_start: datetime | None = None  # the earliest start a report states
    stated_end: datetime | None = None  # the end the latest report saying "resolved" states
    press_acknowledged_at: datetime | None = None  # the earliest acknowledgement a report states
    last_report_at: datetime | None = None  # the latest news report (post-incident reports aside)
    press_severity: tuple[int, str] = (0, "")  # the largest scale a report states, and its words
    outlets: int = 0
    only_post_incident_reports: bool = False  # no report of the outage itself: it is over
    post_incident_report_at: datetime | None = None  # the first post-incident report (press or vendor)
    posts_updated_at: datetime | None = None  # the latest update of any post


def decide(e: Evidence, now: datetime | None = None, quiet_after: timedelta = QUIET_AFTER) -> Lifecycle:
    """Vendor posts win: status from the furthest word of the posts still open, start at the first
    report, end when every post is closed. Without posts, press reports decide (see the module's
    doc); `now` is when the quiet period is measured to (None: never quiet)."""
    severity, vendor_severity = e.severity
    # The vendor's own posts say when it acknowledged; without them, what a report says it said. (A
    # report's text may be updated after its publication, so it never moves a post's time earlier.)
    acknowledged = e.acknowledged_at if e.posts else e.press_acknowledged_at
    if not severity:
        severity = press_severity(e)
    if e.posts:
        # Open posts with no lifecycle word beside a closed one are follow-up notes ("update"), not a reopening.
        notes_only = e.most_advanced_open in (None, VendorStatus.UPDATE) and e.last_end is not None
        open_posts = 0 if notes_only or _explained_since(e) else e.open_posts
        if open_posts:
            status = e.most_advanced_open
        else:
            status = VendorStatus.RESOLVED if e.unplanned_posts else VendorStatus.COMPLETED
        if status in (None, VendorStatus.UPDATE):  # a post without a lifecycle word: the vendor is on it
            status = VendorStatus.INVESTIGATING
        ended = None if open_posts else e.last_end
        return Lifecycle(
            status=status.value,
            started_at=e.first_reported_at,
            # a post closed with no time apart from its start (a status feed's one entry) says it is over,
            # not that it lasted 0 minutes; a vendor that states that end (a "retroactive" post) is believed
            resolved_at=ended if ended and (ended > e.first_reported_at or e.last_end_stated) else None,
            first_reported_at=e.first_reported_at,
            vendor_acknowledged_at=acknowledged,
            severity=severity,
            vendor_severity=vendor_severity,
        )
    started = min(e.first_reported_at, e.stated_start) if e.stated_start else e.first_reported_at
    resolved = e.latest_news_says_resolved or e.only_post_incident_reports
    status = "resolved" if resolved else "reported"
    ended = None
    if resolved:
        # Only an end a report states: a report saying "it is over" shows that it was over by the time
        # it was written, not when it ended (taken as the end, the ZDNET piece a day later made an
        # eight-hour outage "2 days 1 h"). An end no later than the start is not known either.
        ended = e.stated_end if e.stated_end and e.stated_end > started else None
    elif now is not None and e.last_report_at is not None and now - e.last_report_at > quiet_after:
        status = "quiet"
    return Lifecycle(
        status=status,
        started_at=started,
        resolved_at=ended,
        first_reported_at=e.first_reported_at,
        vendor_acknowledged_at=acknowledged,
        severity=severity,
        vendor_severity=vendor_severity,
    )


def _explained_since(e: Evidence) -> bool:
    """A post-incident report published well after the posts' last update: the outage is over, though
    we never saw the vendor close its post (a dev replay's 1.1.1.1 post stopped at "identified" while
    Cloudflare's write-up came 30 hours later). Within EXPLAINED_AFTER of an update it may be a headline
    giving the cause while the vendor still posts; a post updated after it is a recurrence, still open."""
    return bool(e.open_posts and e.post_incident_report_at and e.posts_updated_at
                and e.post_incident_report_at - e.posts_updated_at >= EXPLAINED_AFTER)


def press_severity(e: Evidence) -> int:
    """Severity from what the reports say, when no vendor gave one: the largest scale a report states,
    raised by how many outlets covered it; 0 (unknown) only when nothing is said."""
    by_outlets = 3 if e.outlets >= OUTLETS_MAJOR else 2 if e.outlets >= OUTLETS_MINOR else 0
    return max(e.press_severity[0], by_outlets)


def derive(posts: list[StatusPost], news: list[NewsReport]) -> Lifecycle:
    """The lifecycle of posts and reports given in the order they were published."""
    if not posts and not news:
        raise ValueError("an incident needs at least one status post or news report")
    states = [post_state(p) for p in posts]
    open_words = [s.status for s in states if s.ended_at is None]
    ends = [s.ended_at for s in states if s.ended_at is not None]
    latest = max(news, key=lambda n: n.published_at) if news else None
    return decide(Evidence(
        first_reported_at=min([p.published_at for p in posts] + [n.published_at for n in news]
                              + [s.started_at for s in states]),
        posts=len(states),
        unplanned_posts=sum(1 for s in states if s.status not in MAINTENANCE),
        most_advanced_open=max(open_words, key=progress_of) if open_words else None,
        open_posts=len(open_words),
        acknowledged_at=min((s.acknowledged_at for s in states), default=None),
        last_end=max(ends, default=None),
        last_end_stated=any(s.end_stated for s in states if s.ended_at is not None and s.ended_at == max(ends)),
        severity=severity_of([p.impact for p in posts]),
        latest_news_says_resolved=bool(latest and latest.says_resolved),
    ))
