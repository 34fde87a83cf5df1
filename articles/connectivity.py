"""Is it the network or the sources? Tell "no network" from one bad host name (pure).

Offline, every source fails with "could not resolve host …; check the host name in the URL", which
points the wrong way: nothing is wrong with the URLs. When name resolution failed for (nearly) every
source that has been fetched, the sources page, /healthz and `fetch_sources` say so once instead. One
failing source keeps its own specific message.
"""

from dataclasses import dataclass
from datetime import datetime

from .http.netguard import UNRESOLVED_HOST

# "Nearly every": at least this share of the fetched sources, and at least this many of them (one
# source whose name does not resolve is a bad host name, not a missing network).
OFFLINE_SHARE = 0.9
OFFLINE_MIN_SOURCES = 2


def is_unresolved(error: str) -> bool:
    """Whether a source's last error is its host name not resolving."""
    return error.startswith(UNRESOLVED_HOST)


@dataclass(frozen=True)
class NetworkState:
    """How many enabled sources have been fetched, how many of them last failed to resolve their host, and
    the last time one of those was fetched successfully (the network worked then)."""

    fetched: int
    unresolved: int
    last_success_at: datetime | None

    @property
    def offline(self) -> bool:
        return (self.unresolved >= OFFLINE_MIN_SOURCES
                and self.unresolved >= OFFLINE_SHARE * self.fetched)

    def message(self, now: datetime) -> str:
        """'no network: name resolution failed for every source since 10:02 UTC' when offline, else ""."""
        if not self.offline:
            return ""
        which = "every source" if self.unresolved == self.fetched else f"{self.unresolved} of {self.fetched} sources"
        if self.last_success_at is None:
            return f"no network: name resolution failed for {which}, and none has ever been fetched"
        # The last success is when the network last worked; the failures began at the next poll after it.
        return f"no network: name resolution failed for {which} since {clock(self.last_success_at, now)}"


def clock(at: datetime, now: datetime) -> str:
    """'10:02 UTC' today, '2026-12-06 10:02 UTC' on another day (both times in UTC)."""
    return f"{at:%H:%M} UTC" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M} UTC"
