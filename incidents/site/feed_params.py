"""What a feed request asks for, read from its GET parameters, and refused whole when any part of it
cannot be used. Pure.

A page drops a filter it cannot use and says so above its results. A feed has nowhere to say it: a
reader subscribed to `?severity=critcal` would get every incident, for ever. So a feed answers 400
naming each parameter it cannot use: a name it does not take, a malformed or unknown value, a limit
out of range, a page link it did not make (FilterRefused, whose problems the view shows).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from incidents.site.filters import FilterRefused, IncidentFilter, parse_filter
from incidents.site.timeline import Cursor

FILTERS = ("vendor", "service", "status", "severity", "region", "from", "to")
DEFAULT_LIMIT = 50  # entries when the request does not say: the incidents changed most recently
MAX_LIMIT = 200


@dataclass(frozen=True)
class FeedRequest:
    """One page of a feed: which incidents, how many, and from where (RFC 5005 paging). `before`
    asks for the entries changed before an edge (the next, older page), `after` for those changed
    after one (the previous, newer page); neither for the first page."""

    wanted: IncidentFilter = field(default_factory=IncidentFilter)
    limit: int = DEFAULT_LIMIT
    before: Cursor | None = None
    after: Cursor | None = None

    def as_params(self, before: Cursor | None = None, after: Cursor | None = None) -> dict[str, str]:
        """The GET parameters of this feed on the page that starts at `before` or `after` (the first
        page when neither), in a fixed order; the limit only when it is not the default."""
        params = self.wanted.as_params()
        if self.limit != DEFAULT_LIMIT:
            params["limit"] = str(self.limit)
        if before:
            params["before"] = before.encode()
        elif after:
            params["after"] = after.encode()
        return params

    @property
    def page_params(self) -> dict[str, str]:
        """The parameters of the page asked for."""
        return self.as_params(self.before, self.after)


def parse_feed_request(params: Mapping[str, str], filters: tuple[str, ...] = FILTERS,
                       paged: bool = True) -> FeedRequest:
    """The request the parameters make, or FilterRefused naming every one that cannot be used.
    `filters` are the filter names this feed takes (none for one incident's feed), `paged` whether
    it takes page links (before, after)."""
    taken = (*filters, "limit", *(("before", "after") if paged else ()))
    problems = [f"unknown parameter {name!r}; this feed takes {listed(taken)}"
                for name in params if name not in taken]
    wanted, limit, more = parse_filter_and_limit(params, filters, "the feed's")
    problems += more

    cursors = {}
    for name in ("before", "after") if paged else ():
        raw = (params.get(name) or "").strip()
        cursor = Cursor.parse(raw)
        if raw and cursor is None:
            problems.append(f"malformed {name} {raw[:40]!r}; follow the feed's own next and previous links "
                            f"rather than writing one")
        cursors[name] = cursor
    if cursors.get("before") and cursors.get("after"):
        problems.append("before and after were both given; a page starts at one of them")

    if problems:
        raise FilterRefused(problems)
    return FeedRequest(wanted=wanted, limit=limit, before=cursors.get("before"), after=cursors.get("after"))


def parse_filter_and_limit(params: Mapping[str, str], filters: tuple[str, ...],
                           whose_links: str) -> tuple[IncidentFilter, int, list[str]]:
    """The filter the parameters ask for (of `filters`) and the limit, with the problems of both: a
    filter that cannot be read is none, an unusable limit the default."""
    problems: list[str] = []
    try:
        wanted = parse_filter({name: params[name] for name in filters if name in params})
    except FilterRefused as refused:
        problems += refused.problems
        wanted = IncidentFilter()
    problems += wanted.unusable
    limit, problem = parse_limit(params.get("limit") or "", whose_links)
    return wanted, limit, [*problems, *([problem] if problem else [])]


def parse_limit(raw: str, whose_links: str) -> tuple[int, str]:
    """The number of entries `limit` asks for (DEFAULT_LIMIT when not given) and the problem with it
    ("" when none); `whose_links` names where the next link is ("the feed's")."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_LIMIT, ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) < 1:
        return DEFAULT_LIMIT, f"malformed limit {raw[:40]!r}; give a whole number of entries from 1 to {MAX_LIMIT}"
    if int(raw) > MAX_LIMIT:
        return DEFAULT_LIMIT, (f"limit {int(raw)} is more than {MAX_LIMIT}; ask for at most {MAX_LIMIT} entries and "
                               f"follow {whose_links} next link for more")
    return int(raw), ""


def listed(names: tuple[str, ...]) -> str:
    """("a", "b", "c") → "a, b and c"."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
