"""Feeds of incidents: RSS 2.0 and Atom 1.0 (django.contrib.syndication), JSON Feed 1.1 and
iCalendar, for all incidents, one vendor or one service, each narrowed by the timeline's GET
filters, up to MAX_LIMIT entries a page and paged by cursor (RFC 5005 links in Atom, `next_url` in
JSON Feed). A parameter a feed cannot use is a 400 naming it (feed_params.py). One incident's own
feed lists the vendor's updates and each version of its summary. What an entry says is written by
the pure feed_formats module.

Every feed is a constant number of queries: the conditional-GET version and the content version
(2), the vendors and services the path and the filters name (1, when they name any), the incidents
with vendor and summary joined (1), their services (1). An incident's feed: the incident (1), its
updates (1), its summaries (1).
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.links import web_link
from articles.models import StatusUpdate
from incidents.models import OVER_STATUSES, Incident, Service, Severity, Summary, Vendor
from incidents.site.conditional import Version, conditional, version_at, version_of, version_of_shown
from incidents.site.feed_formats import (
    ChangeEntry,
    FeedEntry,
    FeedInfo,
    entry_html,
    icalendar,
    json_feed,
    summary_entry,
    update_entry,
)
from incidents.site.feed_params import DEFAULT_LIMIT, MAX_LIMIT, FeedRequest, parse_feed_request
from incidents.site.filters import FilterRefused, IncidentFilter
from incidents.site.queries import filtered_incidents
from incidents.site.timeline import Cursor
from incidents.site.views import refusing_impossible_filters
from incidents.summaries.brief import Statement


@dataclass(frozen=True)
class Scope:
    """Which incidents a feed shows and how it names itself; URLs are absolute."""

    asked: FeedRequest
    linked: FeedRequest  # the same without the vendor or service the path names: for its addresses
    info: FeedInfo
    site: str  # scheme and host, no trailing slash: "https://outagehub.example"
    path: str  # the feed's own address, without parameters, for the links to its other pages


@dataclass(frozen=True)
class FeedPage:
    """One page of a feed: its entries, newest change first, and the addresses of its other pages
    (RFC 5005: `first` always; `next`, older, and `previous`, newer, where there are any)."""

    scope: Scope
    entries: list[FeedEntry]
    links: dict[str, str]


def feed_request(request: HttpRequest, of: str = "", slug: str = "") -> FeedRequest:
    """The request from the GET parameters, or FilterRefused naming what cannot be used. `of` is
    "vendor" or "service" for a feed whose path names one by `slug`, which replaces any given as a
    parameter; empty for the feeds of all incidents."""
    asked = parse_feed_request(request.GET)
    return replace(asked, wanted=replace(asked.wanted, **{of: slug})) if of else asked


def scope_for(request: HttpRequest, of: str = "", slug: str = "") -> Scope:
    """The feed's scope: 404 for a vendor or service slug in the path that does not exist, 400
    (FilterRefused) for one in a parameter."""
    asked = feed_request(request, of, slug)
    wanted = asked.wanted
    names = catalogue_names(vendors={wanted.vendor} - {""}, services={wanted.service} - {""})
    if of and (of, slug) not in names:
        raise Http404(f"No {of} here: {slug!r} is not one OutageHub knows.")
    unknown = [f"unknown {kind} {value!r}; give its name as in the address of its page (see {reverse('feeds')})"
               for kind, value in (("vendor", wanted.vendor), ("service", wanted.service))
               if value and kind != of and (kind, value) not in names]
    if unknown:
        raise FilterRefused(unknown)
    if of:
        # Catalogue names of services carry their vendor's: "Amazon EC2".
        title, page = f"{names[of, slug]} incidents", reverse(of, args=[slug])
    else:
        title, page = "Incidents", reverse("timeline")
    narrowed = replace(wanted, **{of: ""}) if of else wanted  # the path already says which vendor or service
    conditions = filter_words(narrowed)
    if conditions:
        title += f" ({conditions})"
    site = request.build_absolute_uri("/").rstrip("/")
    linked = replace(asked, wanted=narrowed)
    query = urlencode(narrowed.as_params())
    info = FeedInfo(
        title=f"OutageHub: {title}",
        description=f"{title} as OutageHub reports them: status, severity, why it matters and the key "
                    "takeaways with links to their sources, updated as the incidents change.",
        home_page_url=site + page + (f"?{query}" if query and not of else ""),
        feed_url=_address(site + request.path, linked.page_params),
        about_url=site + reverse("feeds"),
    )
    return Scope(asked=asked, linked=linked, info=info, site=site, path=site + request.path)


def catalogue_names(vendors: set[str], services: set[str]) -> dict[tuple[str, str], str]:
    """{("vendor" or "service", slug): name} of those that exist, in one query (none for no slugs)."""
    named = [model.objects.filter(slug__in=slugs).annotate(kind=Value(kind)).order_by()
             .values_list("kind", "slug", "name")
             for model, kind, slugs in ((Vendor, "vendor", vendors), (Service, "service", services)) if slugs]
    if not named:
        return {}
    rows = named[0].union(*named[1:]) if len(named) > 1 else named[0]
    return {(kind, slug): name for kind, slug, name in rows}


def _address(base: str, params: dict[str, str]) -> str:
    return base + (f"?{urlencode(params)}" if params else "")


def filter_words(wanted: IncidentFilter) -> str:
    """The filter as a reader would say it: "severity major, region Europe, from 2026-11-01"."""
    return ", ".join(f"{name} {value}" for name, value in wanted.as_params().items())


def page_of_changes(asked: FeedRequest) -> QuerySet[Incident]:
    """The incidents on the page asked for, by their latest change, and one more (which says whether
    there is a page beyond). Keyset paging on (updated_at, id): a page from a cursor stays the same
    however many incidents change after it was linked. Newest first, except for a page `after` a
    cursor, which is read upwards from it (turned round by feed_page)."""
    incidents = filtered_incidents(asked.wanted)
    if asked.after:
        return (incidents.filter(updated_at__gte=asked.after.at)
                .exclude(updated_at=asked.after.at, pk__lte=asked.after.pk)
                .order_by("updated_at", "pk")[:asked.limit + 1])
    if asked.before:
        incidents = (incidents.filter(updated_at__lte=asked.before.at)
                     .exclude(updated_at=asked.before.at, pk__gte=asked.before.pk))
    return incidents.order_by("-updated_at", "-pk")[:asked.limit + 1]


def feed_page(scope: Scope) -> FeedPage:
    """The scope's page of incidents as feed entries and its paging links (two queries). The rows are
    picked by a subquery on (updated_at, id) alone and joined afterwards: sorting narrow rows instead
    of whole joined ones keeps the feed fast even where updated_at has no index."""
    asked = scope.asked
    incidents = list(
        Incident.objects.filter(pk__in=page_of_changes(asked).values("pk"))
        .select_related("vendor", "summary", "post_incident_report")
        .defer(*(f"post_incident_report__{name}" for name in ARTICLE_TEXT_FIELDS))
        .prefetch_related("services")
        .order_by("-updated_at", "-pk")
    )
    more = len(incidents) > asked.limit
    if asked.after:  # read upwards: the extra row is the newest
        incidents = incidents[1:] if more else incidents
        newer_exists, older_exists = more, True
    else:
        incidents = incidents[:asked.limit]
        newer_exists, older_exists = asked.before is not None, more
    linked = scope.linked
    links = {"first": _address(scope.path, linked.as_params())}
    if incidents and older_exists:
        last = incidents[-1]
        links["next"] = _address(scope.path, linked.as_params(before=Cursor(last.updated_at, last.pk)))
    if incidents and newer_exists:
        first = incidents[0]
        links["previous"] = _address(scope.path, linked.as_params(after=Cursor(first.updated_at, first.pk)))
    return FeedPage(scope=scope, entries=[entry_for(incident, scope.site) for incident in incidents], links=links)


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
        also_affected=tuple(incident.also_affected),
        post_incident_report=post_incident_report_line(incident),
    )


# The long texts of an article, which the feeds never show of a post-incident report (its title and link only).
ARTICLE_TEXT_FIELDS = ("body_html", "body_text", "summary_html", "summary_text")


def post_incident_report_line(incident: Incident) -> str:
    """The feed's "Post-incident report" line: published (its title), pending, or nothing known."""
    report = incident.post_incident_report
    if report is not None:
        return f"published: {report.title}" + (f" ({report.url})" if web_link(report.url) else "")
    return "pending: the vendor said one will follow" if incident.post_incident_report_promised else ""


class PagedAtom1Feed(Atom1Feed):
    """Atom 1.0 with the RFC 5005 paging links (first, next, previous) beside its self link."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel, href in self.feed.get("paging", {}).items():
            handler.addQuickElement("link", "", {"rel": rel, "href": href})


class PagedRss201rev2Feed(Rss201rev2Feed):
    """RSS 2.0 with the same paging links, as atom:link elements (the atom namespace is declared for
    the self link Django writes)."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel, href in self.feed.get("paging", {}).items():
            handler.addQuickElement("atom:link", None, {"rel": rel, "href": href})


class IncidentFeed(Feed):
    """RSS 2.0 or Atom 1.0 of one scope, one page. `of` is "vendor", "service" or "" (all incidents),
    and says what the slug in the URL names."""

    author_name = "OutageHub"

    def __init__(self, feed_type, of: str = ""):
        self.feed_type = feed_type
        self.of = of

    def get_object(self, request, slug: str = "") -> FeedPage:
        return feed_page(scope_for(request, self.of, slug))

    def title(self, page: FeedPage) -> str:
        return page.scope.info.title

    def subtitle(self, page: FeedPage) -> str:
        return page.scope.info.description

    description = subtitle

    def link(self, page: FeedPage) -> str:
        return page.scope.info.home_page_url

    def feed_url(self, page: FeedPage) -> str:
        return page.scope.info.feed_url

    def author_link(self, page: FeedPage) -> str:
        return page.scope.site + "/"

    def feed_extra_kwargs(self, page: FeedPage) -> dict:
        return {"paging": page.links}

    def items(self, page: FeedPage) -> list[FeedEntry]:
        return page.entries

    def item_title(self, entry: FeedEntry) -> str:
        # RSS readers may read a title as HTML (Django escapes it for that reason); Atom's is text.
        return entry.heading if issubclass(self.feed_type, Atom1Feed) else escape(entry.heading)

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
    page = feed_page(scope_for(request))
    document = json_feed(page.scope.info, page.entries, next_url=page.links.get("next", ""))
    return JsonResponse(document, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


def ical_view(request: HttpRequest) -> HttpResponse:
    page = feed_page(scope_for(request))
    return HttpResponse(icalendar(page.scope.info, page.entries), content_type="text/calendar; charset=utf-8")


def feed_version(of: str = ""):
    """The conditional-GET version of a feed: the ids and change times of the entries it shows, in
    one query (no lookup of the vendor or service: an unknown slug matches nothing). A parameter the
    feed cannot use raises FilterRefused here, before any query."""

    def version(request: HttpRequest, slug: str = ""):
        return version_of_shown(page_of_changes(feed_request(request, of, slug)))

    return version


def conditional_feed(view, of: str = ""):
    """A feed view with conditional GET on the incidents it can show, answering 400 to a parameter it
    cannot use."""
    return refusing_impossible_filters(conditional(feed_version(of))(view))


def syndication_view(feed_type, of: str = ""):
    """The RSS 2.0 or Atom 1.0 view (PagedRss201rev2Feed, PagedAtom1Feed) of all incidents or of one
    vendor's or service's."""
    return conditional_feed(IncidentFeed(feed_type, of), of)


# --- one incident's feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentChanges:
    """One incident's feed: its name and its changes, newest first."""

    info: FeedInfo
    entries: list[ChangeEntry]


def _incident_feed_version(request: HttpRequest, slug: str) -> Version:
    """Parse the request (FilterRefused before any query) and load the incident once, for the version
    and the feed: its row changes when a vendor's update or a new summary reaches it."""
    request.feed_asked = parse_feed_request(request.GET, filters=(), paged=False)
    request.incident = (Incident.objects.select_related("merged_into").only("slug", "title", "hidden", "updated_at",
                                                                           "merged_into__slug")
                        .filter(slug=slug).first())
    return version_at(request.incident.updated_at if request.incident else None, request.feed_asked.limit)


def incident_changes(request: HttpRequest, incident: Incident, limit: int) -> IncidentChanges:
    """The incident's latest `limit` changes: the updates of the vendor's posts in it and the
    versions of its summary (two queries)."""
    site = request.build_absolute_uri("/").rstrip("/")
    page = site + reverse("incident", args=[incident.slug])
    updates = (StatusUpdate.objects.filter(article__membership__incident=incident)
               .select_related("article__source").only("posted_at", "status", "vendor_status", "text",
                                                       "article__source__name")
               .order_by("-posted_at", "-pk")[:limit])
    summaries = (Summary.objects.filter(incident=incident)
                 .only("version", "created_at", "why_this_matters", "takeaways", "backend")
                 .order_by("-version")[:limit])
    entries = [update_entry(page, update.pk, update.posted_at, (update.vendor_status or update.status).capitalize(),
                            update.text, update.article.source.name) for update in updates]
    entries += [summary_entry(page, summary.version, summary.created_at,
                              tuple(Statement.from_json(s) for s in summary.why_this_matters),
                              tuple(Statement.from_json(s) for s in summary.takeaways),
                              by_editor=summary.backend == "editor") for summary in summaries]
    entries.sort(key=lambda entry: entry.published_at, reverse=True)
    limit_param = {"limit": str(limit)} if limit != DEFAULT_LIMIT else {}
    info = FeedInfo(
        title=f"OutageHub: {incident.title}",
        description=f"What the vendor posted about “{incident.title}” and each new version of OutageHub's "
                    "summary of it, newest first.",
        home_page_url=page,
        feed_url=_address(site + request.path, limit_param),
        about_url=site + reverse("feeds"),
    )
    return IncidentChanges(info=info, entries=entries[:limit])


class IncidentChangesFeed(Feed):
    """RSS 2.0 or Atom 1.0 of one incident's changes; the view has loaded the incident."""

    author_name = "OutageHub"

    def __init__(self, feed_type):
        self.feed_type = feed_type

    def get_object(self, request, slug: str) -> IncidentChanges:
        return incident_changes(request, request.incident, request.feed_asked.limit)

    def title(self, changes: IncidentChanges) -> str:
        return changes.info.title

    def subtitle(self, changes: IncidentChanges) -> str:
        return changes.info.description

    description = subtitle

    def link(self, changes: IncidentChanges) -> str:
        return changes.info.home_page_url

    def feed_url(self, changes: IncidentChanges) -> str:
        return changes.info.feed_url

    def items(self, changes: IncidentChanges) -> list[ChangeEntry]:
        return changes.entries

    def item_title(self, entry: ChangeEntry) -> str:
        return entry.title if issubclass(self.feed_type, Atom1Feed) else escape(entry.title)

    def item_description(self, entry: ChangeEntry) -> str:
        return entry.html

    def item_link(self, entry: ChangeEntry) -> str:
        return entry.url

    def item_guid(self, entry: ChangeEntry) -> str:
        return entry.id

    item_guid_is_permalink = False  # a summary version's id names no anchor on the page

    def item_pubdate(self, entry: ChangeEntry):
        return entry.published_at

    def item_updateddate(self, entry: ChangeEntry):
        return entry.published_at

    def item_author_name(self, entry: ChangeEntry) -> str:
        return entry.author


def incident_feed_view(feed_type):
    """One incident's RSS 2.0 or Atom 1.0 feed: 404 for a hidden or unknown incident, a permanent
    redirect to the survivor's feed for a merged one, 400 for any parameter but `limit`."""
    feed = IncidentChangesFeed(feed_type)

    @refusing_impossible_filters
    @conditional(_incident_feed_version)
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        incident = request.incident
        if incident is not None and incident.merged_into_id:
            survivor = reverse(request.resolver_match.view_name, args=[incident.merged_into.slug])
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(survivor + (f"?{query}" if query else ""))
        if incident is None or incident.hidden:
            raise Http404("No incident here: it may have been removed.")
        return feed(request, slug=slug)

    return view


# --- the /feeds page ---------------------------------------------------------------------------------


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
        "feed_size": DEFAULT_LIMIT,
        "max_limit": MAX_LIMIT,
        "vendors": vendors,
        "services": services,
        "examples": [(label, urlencode(params)) for label, params in examples],
    })
