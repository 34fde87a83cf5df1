"""The verdict of /healthz: what was observed in, each check's status and the overall health out (pure).

outagehub/healthz.py observes (the database, the broker, the sources, beat's heartbeat) and serves the
verdict; this module only decides, so every rule is tested on plain values.
"""

from dataclasses import dataclass
from datetime import datetime

OK, FAILING, UNKNOWN = "ok", "failing", "unknown"


@dataclass(frozen=True)
class Observations:
    now: datetime
    database_error: str = ""  # "" when the database answered
    broker_error: str = ""  # "" when the broker answered
    # The rest comes from the database; None when it could not be read.
    enabled_sources: int | None = None
    last_success_at: datetime | None = None
    due_sources: int = 0
    oldest_due_at: datetime | None = None
    beat_at: datetime | None = None  # the dispatch task's last run
    network_message: str = ""  # "no network: …" when name resolution fails for (nearly) every source


@dataclass(frozen=True)
class Limits:
    """Seconds past which each age is unhealthy (settings OUTAGEHUB_HEALTH_MAX_*)."""

    fetch_age: int
    overdue: int
    beat_age: int


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK, FAILING or UNKNOWN
    detail: str
    age_seconds: int | None = None


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]

    @property
    def healthy(self) -> bool:
        return all(check.status == OK for check in self.checks)

    def as_dict(self) -> dict:
        return {
            "status": "healthy" if self.healthy else "unhealthy",
            "checks": {check.name: {"status": check.status, "detail": check.detail, "age_seconds": check.age_seconds}
                       for check in self.checks},
        }


def judge(seen: Observations, limits: Limits) -> Verdict:
    return Verdict((
        _reachable("database", seen.database_error),
        _reachable("broker", seen.broker_error),
        _network(seen),
        _last_fetch(seen, limits),
        _oldest_due(seen, limits),
        _beat(seen, limits),
    ))


def _reachable(name: str, error: str) -> Check:
    return Check(name, FAILING, error) if error else Check(name, OK, "reachable")


def _age(at: datetime | None, now: datetime) -> int | None:
    return None if at is None else max(0, int((now - at).total_seconds()))


def _unread(name: str) -> Check:
    return Check(name, UNKNOWN, "not known: the database could not be read")


def _network(seen: Observations) -> Check:
    if seen.enabled_sources is None:
        return _unread("network")
    if seen.network_message:
        return Check("network", FAILING, seen.network_message)
    return Check("network", OK, "name resolution is not failing for (nearly) every source")


def _last_fetch(seen: Observations, limits: Limits) -> Check:
    if seen.enabled_sources is None:
        return _unread("last_fetch")
    if seen.enabled_sources == 0:
        return Check("last_fetch", OK, "no enabled sources: nothing to fetch")
    age = _age(seen.last_success_at, seen.now)
    if age is not None and age <= limits.fetch_age:
        return Check("last_fetch", OK, f"a source was fetched successfully {age} s ago", age)
    why = ("no source has been fetched successfully yet" if age is None
           else f"no source fetched successfully for {age} s (the limit is {limits.fetch_age} s)")
    return Check("last_fetch", FAILING, f"{why}; /sources shows each source's last error", age)


def _oldest_due(seen: Observations, limits: Limits) -> Check:
    if seen.enabled_sources is None:
        return _unread("oldest_due")
    age = _age(seen.oldest_due_at, seen.now)
    if age is None:
        return Check("oldest_due", OK, "no source is waiting to be fetched")
    waiting = f"{seen.due_sources} source{'' if seen.due_sources == 1 else 's'} due, the oldest for {age} s"
    if age <= limits.overdue:
        return Check("oldest_due", OK, waiting, age)
    return Check("oldest_due", FAILING, f"{waiting} (the limit is {limits.overdue} s): is beat running?", age)


def _beat(seen: Observations, limits: Limits) -> Check:
    if seen.enabled_sources is None:
        return _unread("beat")
    age = _age(seen.beat_at, seen.now)
    if age is None:
        return Check("beat", FAILING, "the dispatch task has never run: start beat and a worker")
    if age <= limits.beat_age:
        return Check("beat", OK, f"the dispatch task ran {age} s ago", age)
    return Check("beat", FAILING, f"the dispatch task last ran {age} s ago (the limit is {limits.beat_age} s): "
                 "beat, or every worker, is down", age)
