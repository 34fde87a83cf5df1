"""An incident's status, start and end, derived from its vendor status posts and news reports.

Pure: simple records in, a Lifecycle out. Vendor posts decide when they exist; news alone gives a
"reported by press" incident that starts at the first report.
"""

from dataclasses import dataclass, field
from datetime import datetime

from articles.items import VendorStatus

# Lifecycle words in the order an incident moves through them.
PROGRESS = {
    VendorStatus.SCHEDULED: 0, VendorStatus.INVESTIGATING: 1, VendorStatus.UPDATE: 1, VendorStatus.IN_PROGRESS: 1,
    VendorStatus.IDENTIFIED: 2, VendorStatus.MONITORING: 3, VendorStatus.VERIFYING: 3,
    VendorStatus.RESOLVED: 4, VendorStatus.COMPLETED: 4, VendorStatus.POSTMORTEM: 4,
}
CLOSING = {VendorStatus.RESOLVED, VendorStatus.COMPLETED, VendorStatus.POSTMORTEM}
MAINTENANCE = {VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS, VendorStatus.VERIFYING, VendorStatus.COMPLETED}

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
    severity: tuple[int, str] = (0, "")
    latest_news_says_resolved: bool = False  # the latest report (the earliest of those, on a tie)
    first_resolved_report: datetime | None = None


def decide(e: Evidence) -> Lifecycle:
    """Vendor posts win: status from the furthest word of the posts still open, start at the first
    report, end when every post is closed. Without posts, press reports decide."""
    severity, vendor_severity = e.severity
    if e.posts:
        if e.open_posts:
            status = e.most_advanced_open
        else:
            status = VendorStatus.RESOLVED if e.unplanned_posts else VendorStatus.COMPLETED
        if status in (None, VendorStatus.UPDATE):  # a post without a lifecycle word: the vendor is on it
            status = VendorStatus.INVESTIGATING
        return Lifecycle(
            status=status.value,
            started_at=e.first_reported_at,
            resolved_at=None if e.open_posts else e.last_end,
            first_reported_at=e.first_reported_at,
            vendor_acknowledged_at=e.acknowledged_at,
            severity=severity,
            vendor_severity=vendor_severity,
        )
    resolved = e.latest_news_says_resolved
    return Lifecycle(
        status="resolved" if resolved else "reported",
        started_at=e.first_reported_at,
        resolved_at=e.first_resolved_report if resolved else None,
        first_reported_at=e.first_reported_at,
        vendor_acknowledged_at=None,
        severity=severity,
        vendor_severity=vendor_severity,
    )


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
        severity=severity_of([p.impact for p in posts]),
        latest_news_says_resolved=bool(latest and latest.says_resolved),
        first_resolved_report=min((n.published_at for n in news if n.says_resolved), default=None),
    ))
