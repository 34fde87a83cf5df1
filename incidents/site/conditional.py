"""Conditional GET for pages and feeds: one cheap query gives the version of what a view shows, and
a client that already holds that version gets 304 Not Modified before the view runs a query more.

    @conditional(lambda request, slug: version_of(Incident.objects.filter(vendor__slug=slug)))
    def incident_page(request, slug): ...

version_of versions a whole set (newest change and size); version_of_shown the exact rows of an
ordered slice, which is cheaper when the set is large and the slice small.

Every version also carries the content version (models.ContentVersion, one more small query), which
database triggers move in the transaction of any change readers can see: a change a view's own
version does not notice (an article's title, a vendor's update, a row committed out of the order of
its updated_at) still gives a new ETag. The version is also the key of the shared page cache
(page_cache.py), so a response rendered once is served to every reader until something changes.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import wraps

from django.db.models import Max, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from incidents.models import ContentVersion
from incidents.site import page_cache


@dataclass(frozen=True)
class Version:
    """What the client compares: a weak ETag and, when known, the time of the last change."""

    etag: str  # quoted, e.g. W/"3f2a…"
    last_modified: datetime | None = None
    with_content: bool = False  # the content version is in the ETag already (read with the view's own row)


def version_of(rows: QuerySet, *extra: object, changed: str = "updated_at") -> Version:
    """The version of a whole set of rows: its newest change, one query that the index on `changed`
    answers without reading the set (a COUNT beside it read all 10,000 incidents: 6 ms on
    PostgreSQL). A row leaving the set changes it too: hiding or merging an incident saves it, which
    moves its `updated_at`, and the pipeline deletes an incident only when its sources moved to
    another, which moves that one's. So pass the set before `.public()`: a hidden row must still
    count, or hiding it would not change the version. `extra` is anything else the response depends on (a page
    number, the hour when the page writes "2 h ago"), so a change there changes the ETag too."""
    latest = rows.order_by().aggregate(latest=Max(changed))["latest"]
    return _version(latest, [], extra)


def version_of_shown(rows: QuerySet, *extra: object, changed: str = "updated_at") -> Version:
    """The version of exactly the rows a response shows (an ordered, sliced queryset): their ids and
    times of change, read in one narrow query. A row entering, leaving or changing changes it, and
    with an index on `changed` the cost does not grow with the table."""
    shown = list(rows.values_list("pk", changed))
    latest = max((moment for _, moment in shown if moment), default=None)
    return _version(latest, [f"{pk}@{moment.isoformat() if moment else ''}" for pk, moment in shown], extra)


def version_at(changed_at: datetime | None, *extra: object) -> Version:
    """The version of what changed last at `changed_at` (a row, or the newest of a few), with `extra`;
    the content version is added by @conditional (one small query)."""
    return _version(changed_at, [], extra)


def version_of_row(changed_at: datetime | None, content: tuple[int | None, object], *extra: object) -> Version:
    """The version of one row already loaded (its time of change) with the content version read in
    the same query (content_version_columns): no query more."""
    return replace(_version(changed_at, [_content_part(*content)], extra), with_content=True)


def content_version_columns() -> dict[str, Subquery]:
    """annotate(**content_version_columns()) reads the content version with a view's own row."""
    row = ContentVersion.objects.filter(pk=1)
    return {"content_number": Subquery(row.values("number")), "content_changed_at": Subquery(row.values("changed_at"))}


def _version(latest: datetime | None, parts: list[str], extra: tuple) -> Version:
    text = "|".join([latest.isoformat() if latest else "", *parts, *(str(part) for part in extra)])
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    # Weak: the version names the data shown, not the exact bytes (templates change between deploys).
    return Version(etag=f'W/"{digest}"', last_modified=latest)


def with_content_version(version: Version) -> Version:
    """The view's version and the content version in one ETag. Last-Modified stays the view's own
    (the newest change of what it shows: feed readers show it), so a client that sends only
    If-Modified-Since relies on it alone; clients that send the ETag (browsers, most feed readers) get
    every change."""
    if version.with_content:
        return version
    return _version(version.last_modified, [version.etag, _content_part(*ContentVersion.current())], ())


def _content_part(number: int | None, changed_at: object) -> str:
    return f"content {number or 0} {changed_at or ''}"


def conditional(version_for: Callable[..., Version]):
    """Decorate a view with conditional GET and the page cache. `version_for` takes the view's
    arguments (request and URL kwargs) and returns a Version, to which the content version is added; a
    request whose If-None-Match (or If-Modified-Since) matches it gets 304 without calling the view,
    and a GET whose version was rendered before gets the stored response. Successful responses carry
    the ETag and Last-Modified and, unless the view set its own, Cache-Control: no-cache (keep it, but
    ask each time: an outage page must not be served stale by a cache's guess)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            version = with_content_version(version_for(request, *args, **kwargs))
            modified = int(version.last_modified.timestamp()) if version.last_modified else None
            response = get_conditional_response(request, etag=version.etag, last_modified=modified)
            if response is None:
                key = page_cache.page_key(request, version.etag)
                response = page_cache.cached_response(key) if request.method == "GET" else None
                if response is None:
                    response = view(request, *args, **kwargs)
                    if not 200 <= response.status_code < 300:
                        return response
                    if request.method == "GET":
                        page_cache.store(key, response)
            if "Cache-Control" not in response:
                patch_cache_control(response, no_cache=True)
            response.headers["ETag"] = version.etag
            if modified is not None:
                response.headers["Last-Modified"] = http_date(modified)
            else:
                # The view may have set its own (syndication does); it must not disagree with the ETag.
                response.headers.pop("Last-Modified", None)
            return response

        return wrapper

    return decorator
