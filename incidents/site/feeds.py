"""Feeds of incidents: RSS 2.0 and Atom 1.0 (django.contrib.syndication), JSON Feed 1.1 and
iCalendar, for all incidents, one vendor or one service, each narrowed by the timeline's GET
filters. What an entry says is written by the pure feed_formats module.

Every feed is a constant number of queries: the conditional-GET version and the content version
(2), the vendor or service named in the path (1), the incidents with vendor and summary joined (1),
their services (1).
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from incidents.models import OVER_STATUSES, Incident, Service, Severity, Vendor
from incidents.site.conditional import conditional, version_of, version_of_shown
from incidents.site.feed_formats import FeedEntry, FeedInfo, entry_html, icalendar, json_feed
from incidents.site.filters import IncidentFilter, parse_filter
from incidents.site.queries import filtered_incidents
from incidents.site.views import refusing_impossible_filters
from incidents.summaries.brief import Statement

FEED_SIZE = 50  # entries per feed: the incidents changed most recently


@dataclass(frozen=True)
class Scope:
    """Which incidents a feed shows and how it names itself; URLs are absolute."""

    wanted: IncidentFilter
    info: FeedInfo
    site: str  # scheme and host, no trailing slash: "https://outagehub.example"


def wanted_incidents(request: HttpRequest, of: str = "", slug: str = "") -> IncidentFilter:
    """The timeline's filter from the GET parameters (values it cannot use are dropped). `of` is
    "vendor" or "service" for a feed whose path names one by `slug`, which replaces any given as a
    parameter; empty for the feeds of all incidents."""
    wanted = parse_filter(request.GET)
    return replace(wanted, **{of: slug}) if of else wanted


def scope_for(request: HttpRequest, of: str = "", slug: str = "") -> Scope:
    """The feed's scope; 404 for a vendor or service slug in the path that does not exist."""
    wanted = wanted_incidents(request, of, slug)
    if of == "vendor":
        named = get_object_or_404(Vendor, slug=slug)
        title, page = f"{named.name} incidents", reverse("vendor", args=[slug])
    elif of == "service":
        named = get_object_or_404(Service, slug=slug)  # catalogue names carry their vendor's: "Amazon EC2"
        title, page = f"{named.name} incidents", reverse("service", args=[slug])
    else:
        title, page = "Incidents", reverse("timeline")
    narrowed = replace(wanted, **{of: ""}) if of else wanted  # the path already says which vendor or service
    conditions = filter_words(narrowed)
    if conditions:
        title += f" ({conditions})"
    query = urlencode(narrowed.as_params())
    site = request.build_absolute_uri("/").rstrip("/")
    info = FeedInfo(
        title=f"OutageHub: {title}",
        description=f"{title} as OutageHub reports them: status, severity, why it matters and the key "
                    "takeaways with links to their sources, updated as the incidents change.",
        home_page_url=site + page + (f"?{query}" if query and not of else ""),
        feed_url=site + request.path + (f"?{query}" if query else ""),
        about_url=site + reverse("feeds"),
    )
    return Scope(wanted=wanted, info=info, site=site)


def filter_words(wanted: IncidentFilter) -> str:
    """The filter as a reader would say it: "severity major, region Europe, from 2026-11-01"."""
    return ", ".join(f"{name} {value}" for name, value in wanted.as_params().items())


def latest_changed(wanted: IncidentFilter) -> QuerySet[Incident]:
    """The incidents a feed shows: the FEED_SIZE changed most recently, newest change first."""
    return filtered_incidents(wanted).order_by("-updated_at", "-pk")[:FEED_SIZE]


def feed_entries(scope: Scope) -> list[FeedEntry]:
    """The scope's incidents as feed entries (two queries). The rows are picked by a subquery on
    (updated_at, id) alone and joined afterwards: sorting narrow rows instead of whole joined ones
    keeps the feed fast even where updated_at has no index."""
    incidents = (
        Incident.objects.filter(pk__in=latest_changed(scope.wanted).values("pk"))
        .select_related("vendor", "summary")
        .prefetch_related("services")
        .order_by("-updated_at", "-pk")
    )
    return [entry_for(incident, scope.site) for incident in incidents]


def entry_for(incident: Incident, site: str) -> FeedEntry:
    summary = incident.summary
    return FeedEntry(
        url=site + reverse("incident", args=[incident.slug]),
        title=incident.title,
        status=incident.status,
        status_label=incident.get_status_display(),
        severity=Severity(incident.severity).label,
        vendor_severity=incident.vendor_severity,
        started_at=incident.started_at,
        first_reported_at=incident.first_reported_at,
        updated_at=incident.updated_at,
        is_over=incident.status in OVER_STATUSES,
        resolved_at=incident.resolved_at,
        acknowledged_at=incident.vendor_acknowledged_at,
        vendor=incident.vendor.name if incident.vendor else incident.subject,
        services=tuple(service.name for service in incident.services.all()),
        regions=tuple(incident.regions),
        vendor_incident_ids=tuple(incident.vendor_incident_ids),
        error_messages=tuple(incident.error_messages),
        why_this_matters=tuple(Statement.from_json(s) for s in summary.why_this_matters) if summary else (),
        takeaways=tuple(Statement.from_json(s) for s in summary.takeaways) if summary else (),
    )


class IncidentFeed(Feed):
    """RSS 2.0 or Atom 1.0 of one scope. `of` is "vendor", "service" or "" (all incidents), and
    says what the slug in the URL names."""

    author_name = "OutageHub"

    def __init__(self, feed_type, of: str = ""):
        self.feed_type = feed_type
        self.of = of

    def get_object(self, request, slug: str = "") -> Scope:
        return scope_for(request, self.of, slug)

    def title(self, scope: Scope) -> str:
        return scope.info.title

    def subtitle(self, scope: Scope) -> str:
        return scope.info.description

    description = subtitle

    def link(self, scope: Scope) -> str:
        return scope.info.home_page_url

    def feed_url(self, scope: Scope) -> str:
        return scope.info.feed_url

    def author_link(self, scope: Scope) -> str:
        return scope.site + "/"

    def items(self, scope: Scope) -> list[FeedEntry]:
        return feed_entries(scope)

    def item_title(self, entry: FeedEntry) -> str:
        # RSS readers may read a title as HTML (Django escapes it for that reason); Atom's is text.
        return entry.heading if self.feed_type is Atom1Feed else escape(entry.heading)

    def item_description(self, entry: FeedEntry) -> str:
        return entry_html(entry)

    def item_link(self, entry: FeedEntry) -> str:
        return entry.url

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.url

    item_guid_is_permalink = True

    def item_pubdate(self, entry: FeedEntry):
        return entry.published_at

    def item_updateddate(self, entry: FeedEntry):
        return entry.updated_at

    def item_categories(self, entry: FeedEntry) -> list[str]:
        return entry.tags


def json_feed_view(request: HttpRequest) -> JsonResponse:
    scope = scope_for(request)
    return JsonResponse(json_feed(scope.info, feed_entries(scope)), content_type="application/feed+json",
                        json_dumps_params={"ensure_ascii": False})


def ical_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request)
    return HttpResponse(icalendar(scope.info, feed_entries(scope)), content_type="text/calendar; charset=utf-8")


def feed_version(of: str = ""):
    """The conditional-GET version of a feed: the ids and change times of the entries it shows, in
    one query (no lookup of the vendor or service: an unknown slug matches nothing)."""

    def version(request: HttpRequest, slug: str = ""):
        return version_of_shown(latest_changed(wanted_incidents(request, of, slug)))

    return version


def conditional_feed(view, of: str = ""):
    """A feed view with conditional GET on the incidents it can show, answering 400 to dates it cannot."""
    return refusing_impossible_filters(conditional(feed_version(of))(view))


def syndication_view(feed_type, of: str = ""):
    """The RSS 2.0 (Rss201rev2Feed) or Atom 1.0 (Atom1Feed) view of all incidents or of one vendor's or service's."""
    return conditional_feed(IncidentFeed(feed_type, of), of)


@conditional(lambda request: version_of(Incident.objects.all()))  # hidden rows count: see version_of
def feeds_page(request: HttpRequest) -> HttpResponse:
    """/feeds: every feed, with the vendors and services that have public incidents."""
    public = Incident.objects.public()
    vendors = Vendor.objects.filter(Exists(public.filter(vendor=OuterRef("pk"))))
    services = (Service.objects.filter(Exists(public.filter(services=OuterRef("pk"))))
                .select_related("vendor").order_by("vendor__name", "name"))
    examples = [
        ("Ongoing incidents only", {"status": "ongoing"}),
        ("Critical incidents", {"severity": "critical"}),
        ("Incidents in Europe", {"region": "Europe"}),
        ("Major incidents in AWS us-east-1", {"severity": "major", "region": "aws:us-east-1"}),
    ]
    return render(request, "incidents/feeds.html", {
        "site": request.build_absolute_uri("/").rstrip("/"),
        "feed_size": FEED_SIZE,
        "vendors": vendors,
        "services": services,
        "examples": [(label, urlencode(params)) for label, params in examples],
    })
