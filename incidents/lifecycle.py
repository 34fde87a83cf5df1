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


def severity_of(words: list[str]) -> tuple[int, str]:
    """The highest severity among the vendors' words, and the word itself."""
    best, label = 0, ""
    for word in words:
        rank = SEVERITY_SCALE.get(word.strip().lower().split(" ")[0], 0) if word else 0
        if rank > best:
            best, label = rank, word
    return best, label


def derive(posts: list[StatusPost], news: list[NewsReport]) -> Lifecycle:
    """Vendor posts win: status from the newest post's newest word, start at the earliest post's
    start, end when every post is closed. Without posts, press reports decide."""
    if not posts and not news:
        raise ValueError("an incident needs at least one status post or news report")
    first_reported = min([p.published_at for p in posts] + [n.published_at for n in news]
                         + [_post_start(p) for p in posts])
    severity, vendor_severity = severity_of([p.impact for p in posts])
    if posts:
        statuses = [(_post_status(p), p) for p in posts]
        ends = [_post_end(p, s) for s, p in statuses]
        latest_status = max(statuses, key=lambda sp: (sp[1].published_at, PROGRESS.get(sp[0], 0)))[0]
        all_closed = all(end is not None for end in ends)
        if all_closed:
            status = VendorStatus.COMPLETED if all(s in MAINTENANCE for s, _ in statuses) else VendorStatus.RESOLVED
        else:
            open_statuses = [s for (s, _), end in zip(statuses, ends, strict=True) if end is None]
            status = max(open_statuses, key=lambda s: PROGRESS.get(s, 0)) if open_statuses else latest_status
        started = min(_post_start(p) for p in posts)
        acknowledged = min(min([u.posted_at for u in p.updates] or [p.published_at]) for p in posts)
        if status in (None, VendorStatus.UPDATE):  # a post without a lifecycle word: the vendor is on it
            status = VendorStatus.INVESTIGATING
        return Lifecycle(
            status=status.value,
            started_at=min(started, first_reported),
            resolved_at=max(ends) if all_closed else None,
            first_reported_at=first_reported,
            vendor_acknowledged_at=acknowledged,
            severity=severity,
            vendor_severity=vendor_severity,
        )
    resolved_reports = [n.published_at for n in news if n.says_resolved]
    latest = max(news, key=lambda n: n.published_at)
    resolved = latest.says_resolved
    return Lifecycle(
        status="resolved" if resolved else "reported",
        started_at=first_reported,
        resolved_at=min(resolved_reports) if resolved else None,
        first_reported_at=first_reported,
        vendor_acknowledged_at=None,
        severity=severity,
        vendor_severity=vendor_severity,
    )
