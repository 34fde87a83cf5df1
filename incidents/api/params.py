"""What a request to the JSON API asks for, read from its GET parameters and refused whole when any
part of it cannot be used (FilterRefused, whose problems name each parameter). Pure.

The incident list takes the timeline's filters (filters.py, the same names and values), a `limit` as
the feeds do, an `order` (by start, as the timeline, or by latest change, as the feeds) and the opaque
`cursor` of its `next` link: keyset paging on (time, id), so a page stays the same while new
incidents arrive and page 1,000 costs what page 1 does.
"""

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

from incidents.site.feed_params import DEFAULT_LIMIT, FILTERS, listed, parse_filter_and_limit
from incidents.site.filters import SLUG, FilterRefused, IncidentFilter
from incidents.site.timeline import Cursor

# `order` → the incident's column it sorts by, newest first (then by id).
ORDERS = {"started": "started_at", "updated": "updated_at"}
DEFAULT_ORDER = "started"
LIST_PARAMETERS = (*FILTERS, "order", "limit", "cursor")


@dataclass(frozen=True)
class ListRequest:
    """One page of incidents: which, in which order, how many, and after which row of the last page."""

    wanted: IncidentFilter = field(default_factory=IncidentFilter)
    order: str = DEFAULT_ORDER
    limit: int = DEFAULT_LIMIT
    after: Cursor | None = None  # the last row of the previous page; None for the first page

    @property
    def column(self) -> str:
        return ORDERS[self.order]

    def as_params(self, after: Cursor | None = None) -> dict[str, str]:
        """The GET parameters of the page that follows `after` (the first page when None), in a fixed
        order, the defaults left out."""
        params = self.wanted.as_params()
        if self.order != DEFAULT_ORDER:
            params["order"] = self.order
        if self.limit != DEFAULT_LIMIT:
            params["limit"] = str(self.limit)
        if after:
            params["cursor"] = encode_cursor(self.order, after)
        return params


def encode_cursor(order: str, cursor: Cursor) -> str:
    """Opaque to clients ("follow the next link"), and carrying its order so that it cannot be read
    against another."""
    return base64.urlsafe_b64encode(f"{order}:{cursor.encode()}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, Cursor] | None:
    """The order and row a cursor names, or None for anything this API did not write."""
    try:
        order, _, position = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    cursor = Cursor.parse(position)
    return (order, cursor) if order in ORDERS and cursor else None


def unknown_parameters(params: Mapping[str, str], taken: tuple[str, ...]) -> list[str]:
    """A problem for each parameter not among `taken`: a misspelt filter must not widen the answer."""
    accepted = listed(taken) if taken else "no parameters"
    return [f"unknown parameter {name[:40]!r}; this endpoint takes {accepted}" for name in params if name not in taken]


def parse_list_request(params: Mapping[str, str]) -> ListRequest:
    """The page of incidents the parameters ask for, or FilterRefused naming every problem."""
    problems = unknown_parameters(params, LIST_PARAMETERS)
    wanted, limit, more = parse_filter_and_limit(params, FILTERS, "the answer's")
    problems += more

    order = (params.get("order") or "").strip().lower()
    if order and order not in ORDERS:
        problems.append(f"unknown order {order[:40]!r}; use one of {listed(tuple(ORDERS))}")
    after = None
    raw = (params.get("cursor") or "").strip()
    if raw:
        decoded = decode_cursor(raw)
        if decoded is None:
            problems.append(f"malformed cursor {raw[:40]!r}; follow the answer's next link rather than writing one")
        elif order and decoded[0] != order:
            problems.append(f"the cursor is of order {decoded[0]!r}, not {order!r}; follow the next link as it is")
        else:
            order, after = decoded[0], decoded[1]
    if problems:
        raise FilterRefused(problems)
    return ListRequest(wanted=wanted, order=order or DEFAULT_ORDER, limit=limit, after=after)


def parse_vendor_param(params: Mapping[str, str]) -> str:
    """The vendor slug /services narrows to ("" for all), or FilterRefused."""
    problems = unknown_parameters(params, ("vendor",))
    vendor = (params.get("vendor") or "").strip()
    if vendor and not SLUG.match(vendor):
        problems.append(f"malformed vendor {vendor[:40]!r}; give its name as in the address of its page, such as "
                        "github")
    if problems:
        raise FilterRefused(problems)
    return vendor.lower()
