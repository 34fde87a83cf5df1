"""The reader's pages: timeline, incident, vendor and service.

Thin: each view runs a fixed, small number of queries (no per-row query; keyset pages, no OFFSET
and no COUNT to page) and hands plain values to the templates; days, pages, months and medians are
shaped in timeline.py, charts drawn in charts.py. Each view answers a repeat request with 304 after
one query (conditional.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from articles.items import worst_state
from articles.models import Article, Source, StatusUpdate
from incidents.models import (
    ONGOING_STATUSES,
    OVER_STATUSES,
    ContentVersion,
    Incident,
    Membership,
    Revision,
    Service,
    Severity,
    Summary,
    Vendor,
)
from incidents.site import board_views, charts
from incidents.site.conditional import Version, conditional, content_version_columns, version_of, version_of_row
from incidents.site.filters import SEVERITIES, STATUSES, FilterRefused, IncidentFilter, parse_filter
from incidents.site.queries import filtered_incidents, live_incidents
from incidents.site.timeline import (
    Bar,
    Cursor,
    Row,
    group_by_day,
    lanes_by_vendor,
    median_span,
    month_spans,
    status_word,
    time_to_acknowledge,
    web_link,
)
from incidents.summaries.brief import Statement

PAGE_SIZE = 30  # a screenful or three; keyset paging makes the next page as cheap
HAPPENING_LIMIT = 20  # more ongoing incidents than this: a link to the "ongoing" filter lists them all
HISTORY_LIMIT = 30  # on vendor and service pages; the filtered timeline pages through the rest
RECENT_SAMPLE = 100  # the medians on vendor and service pages are of at most this many recent incidents
EARLIER_LIMIT = 10
MAX_VICTIMS = 20  # incidents of others that blame this one, listed on its page
CHART_DAYS = 7
# The 7-day chart reads incidents that started at most this long before its window, so its query
# stays on the started_at index; an incident open for longer is on the timeline, not the chart.
CHART_LOOKBACK = timedelta(days=14)
CHART_ROWS = 200  # bars in the 7-day chart: ten lanes cannot show more legibly
# Listed rather than "not over", so the query can use the status index: the unresolved are few.
# Most sources failing their last fetch: the page says its view may be stale.
STALE_SHARE = 0.5
FAILING_HEALTH = (Source.Health.FAILING, Source.Health.GAVE_UP)
MAINTENANCE_STATUSES = (Incident.Status.SCHEDULED, Incident.Status.IN_PROGRESS, Incident.Status.COMPLETED)
# Plain lookups: get_FOO_display() hashes the field's choices on every call, a page of rows calls it hundreds of times.
STATUS_LABELS = dict(Incident.Status.choices)
SEVERITY_WORDS = dict(Severity.choices)
ROW_FIELDS = ("slug", "title", "subject", "status", "severity", "vendor_severity", "started_at", "resolved_at",
              "vendor_acknowledged_at", "regions", "news_count", "status_count", "last_activity_at", "vendor__slug",
              "vendor__name")


def _rows(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """What a timeline row shows, and nothing more (no profile, no summary JSON)."""
    return incidents.select_related("vendor").only(*ROW_FIELDS)


def slug_url(name: str) -> Callable[[str], str]:
    """reverse() for a URL that takes one slug, resolved once per page rather than once per row.
    Slugs need no quoting: they are letters, digits, "-" and "_"."""
    before, _, after = reverse(name, args=["slug"]).rpartition("slug")
    return lambda slug: f"{before}{slug}{after}"


def _row_maker(clock_only: bool = False) -> Callable[[Incident], Row]:
    incident_url, vendor_url = slug_url("incident"), slug_url("vendor")

    def row(incident: Incident) -> Row:
        vendor = incident.vendor
        return Row(
            url=incident_url(incident.slug), title=incident.title,
            vendor=vendor.name if vendor else incident.subject, vendor_url=vendor_url(vendor.slug) if vendor else "",
            status=status_word(incident.status, STATUS_LABELS.get(incident.status, incident.status)),
            status_label=STATUS_LABELS.get(incident.status, incident.status),
            is_open=incident.is_ongoing, severity=incident.severity,
            severity_word=SEVERITY_WORDS.get(incident.severity, ""),
            vendor_severity=incident.vendor_severity, started_at=incident.started_at,
            resolved_at=incident.resolved_at, news_count=incident.news_count, status_count=incident.status_count,
            acknowledged=incident.vendor_acknowledged_at is not None, regions=tuple(incident.regions),
            clock_only=clock_only, last_update_at=incident.last_activity_at,
        )

    return row


def refusing_impossible_filters(view):
    """A view that takes the filters answers 400, in the filter's own words, to one it cannot honour
    (FilterRefused). Put it outside @conditional: a feed's version reads the filters too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FilterRefused as refused:
            return render(request, "incidents/refused_filter.html", {"problems": refused.problems}, status=400)

    return wrapper


# --- timeline --------------------------------------------------------------------------------------


def _quarter_hour() -> str:
    """Part of the timeline's version: its 7-day chart ends now, so a cached copy may lag 15 minutes at most."""
    now = timezone.now()
    return f"{now:%Y-%m-%dT%H}:{now.minute // 15}"


# Any incident's change (hidden ones included: hiding one changes it) gives every timeline view a new
# version, and the query string tells filters and pages apart.
@refusing_impossible_filters
@conditional(lambda request: version_of(Incident.objects.all(), request.GET.urlencode(), _quarter_hour()))
def timeline(request):
    """Happening now, then every matching incident by day (UTC), newest first, with keyset pages."""
    wanted = parse_filter(request.GET)
    problems = list(wanted.problems)
    incidents = filtered_incidents(wanted)

    before, after = Cursor.parse(request.GET.get("before", "")), Cursor.parse(request.GET.get("after", ""))
    if (request.GET.get("before") and not before) or (request.GET.get("after") and not after):
        problems.append("That page link is not one we made; showing the newest incidents.")
    if request.GET.get("page") not in (None, "", "1"):
        problems.append("This timeline pages with the Older and Newer links at its foot; showing the newest "
                        "incidents.")
    page, newer, older = _timeline_page(incidents, before, after)

    first_page = not (before or after)
    happening, more_happening = [], False
    if first_page and not wanted.status:
        happening = list(_rows(live_incidents(incidents)).order_by("-severity", "-last_activity_at", "-pk")
                         [:HAPPENING_LIMIT + 1])
        more_happening = len(happening) > HAPPENING_LIMIT
        happening = list(map(_row_maker(), happening[:HAPPENING_LIMIT]))

    params = wanted.as_params()
    window_end = timezone.now()
    if wanted.end:
        window_end = min(window_end, datetime.combine(wanted.end + timedelta(days=1), time.min, UTC))
    return render(request, "incidents/timeline.html", {
        "filter": wanted,
        "problems": problems,
        "happening": happening,
        "more_happening": more_happening,
        "stale_view": stale_view() if first_page else None,
        "quiet_hours": settings.OUTAGEHUB_QUIET_HOURS,
        "ongoing_url": "?" + urlencode({**params, "status": "ongoing"}),
        "days": group_by_day(map(_row_maker(clock_only=True), page)),
        "newer_url": "?" + urlencode({**params, "after": newer.encode()}) if newer else "",
        "older_url": "?" + urlencode({**params, "before": older.encode()}) if older else "",
        "first_page_url": "?" + urlencode(params) if not first_page else "",
        "week_chart": _week_chart(incidents, window_end),
        "vendors": Vendor.objects.filter(Exists(Incident.objects.public().filter(vendor=OuterRef("pk"))))
                                 .values_list("slug", "name"),
        "services": _services_to_choose(wanted),
        "statuses": [(status, status.replace("_", " ").capitalize()) for status in STATUSES],
        "severities": tuple(SEVERITIES),
        "feed_query": urlencode(params),
    })


def _services_to_choose(wanted: IncidentFilter) -> list[tuple[str, str]]:
    """The chosen vendor's services (or the chosen service's siblings): the whole catalogue would put
    hundreds of options on every page, most of which a reader never wants."""
    if wanted.vendor:
        services = Service.objects.filter(vendor__slug=wanted.vendor)
    elif wanted.service:
        services = Service.objects.filter(vendor__services__slug=wanted.service)
    else:
        return []
    return list(services.order_by("name").values_list("slug", "name"))


def _timeline_page(incidents: QuerySet[Incident], before: Cursor | None,
                   after: Cursor | None) -> tuple[list[Incident], Cursor | None, Cursor | None]:
    """One page of rows, newest first, and the cursors of the newer and older pages (None at an end).
    One query: LIMIT page + 1 says whether there is more, with no COUNT."""
    rows = _rows(incidents)
    if after:  # going back towards the newest: read upwards from the cursor, then turn the page round
        rows = rows.filter(started_at__gte=after.at).exclude(started_at=after.at, pk__lte=after.pk)
        page = list(rows.order_by("started_at", "pk")[:PAGE_SIZE + 1])
        newer_exists, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE][::-1]
        older_exists = True
    else:
        if before:
            rows = rows.filter(started_at__lte=before.at).exclude(started_at=before.at,
                                                                           pk__gte=before.pk)
        page = list(rows.order_by("-started_at", "-pk")[:PAGE_SIZE + 1])
        older_exists, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
        newer_exists = before is not None
    if not page:
        return page, None, None
    newer = Cursor(page[0].started_at, page[0].pk) if newer_exists else None
    older = Cursor(page[-1].started_at, page[-1].pk) if older_exists else None
    return page, newer, older


def _week_chart(incidents: QuerySet[Incident], end: datetime) -> str:
    start = end - timedelta(days=CHART_DAYS)
    rows = (incidents.filter(started_at__lt=end, started_at__gte=start - CHART_LOOKBACK)
            .filter(Q(resolved_at__gte=start) | Q(resolved_at__isnull=True, last_activity_at__gte=start))
            .order_by("-started_at")
            .values_list("vendor__name", "title", "started_at", "resolved_at", "severity", "status")[:CHART_ROWS])
    bars = []
    for vendor, title, started, resolved, severity, status in rows:
        if resolved is None and status in OVER_STATUSES:
            resolved = started  # over, with no end time given: a blip rather than a bar to "now"
        bars.append((vendor, Bar(started, resolved, severity, title)))
    return mark_safe(charts.week_timeline(lanes_by_vendor(bars), start, end))  # noqa: S308 - escaped in charts


def stale_view() -> str:
    """A warning when most enabled sources failed their last fetch: "Nothing is ongoing" would then
    say more than we know. One aggregate query."""
    counts = Source.objects.filter(enabled=True).aggregate(
        enabled=Count("pk"), failing=Count("pk", filter=Q(health__in=FAILING_HEALTH)),
        since=Min("last_error_at", filter=Q(health__in=FAILING_HEALTH)))
    if not counts["enabled"] or counts["failing"] <= counts["enabled"] * STALE_SHARE:
        return ""
    since = f" since {counts['since']:%Y-%m-%d %H:%M} UTC" if counts["since"] else ""
    return (f"Our view may be stale: {counts['failing']} of {counts['enabled']} sources unreachable{since}. "
            "What is happening now may be missing here.")


# --- incident --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    ref: str  # "article:12"
    label: str  # the publisher, or the update's time
    url: str  # the original, when it is a web link
    anchor: str  # the entry in the page's source list, when it is there
    detail: str = ""  # said on hover: which update of the post, by its time


def incident_version(request, **lookup) -> Version:
    """Load the incident (`slug=…` or `pk=…`) once, for the version and for the page, as
    request.incident: its own row changes with its status, sources, summary and curation. Its list of
    earlier incidents may lag until it next changes."""
    # Every request, cached or not, runs this query, and building it costs more than running it: so
    # no join for the rare merged incident (its redirect looks the survivor up) and no ORDER BY (the
    # slug is unique). The clustering state is the biggest part of the row and no page shows it.
    request.incident = next(iter(Incident.objects.select_related("vendor", "summary", "caused_by")
                                 .defer("profile", "tally", "caused_by__profile", "caused_by__tally")
                                 .annotate(**content_version_columns()).filter(**lookup).order_by()[:1]), None)
    if request.incident is None:
        return version_of_row(None, ContentVersion.current())
    return version_of_row(request.incident.updated_at,
                          (request.incident.content_number, request.incident.content_changed_at))


@conditional(lambda request, slug: incident_version(request, slug=slug))
def incident_page(request, slug: str):
    incident = request.incident
    if incident is not None and incident.merged_into_id:  # merged by an editor: one address, the survivor's
        survivor = Incident.objects.values_list("slug", flat=True).get(pk=incident.merged_into_id)
        return redirect("incident", slug=survivor, permanent=True)
    if incident is None or incident.hidden:
        raise Http404("No incident here: it may have been removed.")
    services = list(incident.services.only("slug", "name", "description").order_by("name"))
    summary = incident.summary
    why, takeaways = summary_statements(summary)
    members, updates, citations = incident_sources(incident, [*why, *takeaways])
    first_press = min((a.published_at for a in members if a.kind == Article.Kind.NEWS), default=None)
    return render(request, "incidents/incident.html", {
        "incident": incident,
        "status_word": status_word(incident.status, incident.get_status_display()),
        "lasted": incident.resolved_at - incident.started_at if incident.resolved_at else None,
        "services": services,
        "why": [(s, [citations[r] for r in s.citations if r in citations]) for s in why],
        "takeaways": [(s, [citations[r] for r in s.citations if r in citations]) for s in takeaways],
        "summary": summary,
        "updates": updates,
        "sources": [(a, web_link(a.url)) for a in members],
        "first_press": first_press,
        **_acknowledgement_timing(incident, first_press),
        "earlier": _earlier(incident, services),
        "revisions": list(Revision.objects.filter(incident=incident).order_by("created_at", "pk")
                          .values("created_at", "description")),
        "single_service": services[0] if len(services) == 1 else None,
        "acknowledged_in": next((a for a in members if a.pk == incident.acknowledged_in_id), None),
        "post_incident_report": next((a for a in members if a.pk == incident.post_incident_report_id), None),
        "caused_by": incident.caused_by if incident.caused_by_id and not incident.caused_by.hidden else None,
        "quiet_hours": settings.OUTAGEHUB_QUIET_HOURS,
        "victims": list(incident.caused.public().only("slug", "title").order_by("started_at")[:MAX_VICTIMS]),
    })


def summary_statements(summary: Summary | None) -> tuple[list[Statement], list[Statement]]:
    """The summary's "Why this matters" and its takeaways (none without a summary)."""
    if summary is None:
        return [], []
    return ([Statement.from_json(s) for s in summary.why_this_matters],
            [Statement.from_json(s) for s in summary.takeaways])


def incident_sources(incident: Incident,
                     statements: list[Statement]) -> tuple[list[Article], list[StatusUpdate], dict[str, Citation]]:
    """The incident's own sources (oldest first, each with its source), the updates of its status
    posts (each with its `post`), and the citations of `statements` resolved. Two queries at most."""
    cited = {ref for statement in statements for ref in statement.citations}
    # The incident's own sources and those of other incidents a takeaway cites (the history takeaway
    # cites an earlier incident's first report): one query, each condition on a membership index.
    cited_articles = [int(ref[8:]) for ref in cited if ref.startswith("article:") and ref[8:].isdigit()]
    memberships = list(
        Membership.objects.filter(Q(incident=incident) | Q(article_id__in=cited_articles))
        .select_related("article__source")
        .only("incident_id", "duplicate_of_id", "article__title", "article__url", "article__kind",
              "article__published_at", "article__vendor_status", "article__source__name")
        .order_by("article__published_at", "article_id")
    )
    articles = [m.article for m in memberships]
    members = [m.article for m in memberships if m.incident_id == incident.pk]
    status_posts = {a.pk: a for a in members if a.kind == Article.Kind.STATUS}
    updates = list(StatusUpdate.objects.filter(article_id__in=status_posts)
                   .only("article_id", "posted_at", "status", "vendor_status", "text")
                   .order_by("posted_at", "pk")) if status_posts else []
    for update in updates:
        update.post = status_posts[update.article_id]
    return members, updates, _citations(articles, updates, {a.pk for a in members})


def _citations(articles: list[Article], updates: list[StatusUpdate], member_ids: set[int]) -> dict[str, Citation]:
    found = {}
    for article in articles:
        ref = f"article:{article.pk}"
        anchor = f"source-article-{article.pk}" if article.pk in member_ids else ""
        found[ref] = Citation(ref, article.source.name, web_link(article.url), anchor)
    for update in updates:
        ref = f"update:{update.pk}"
        # The chip is short, the publisher as for an article; which update it is, its time, is in its title.
        found[ref] = Citation(ref, update.post.source.name, web_link(update.post.url), f"source-update-{update.pk}",
                              f"the update of {update.posted_at.astimezone(UTC):%d %b %H:%M} UTC")
    return found


def _acknowledgement_timing(incident: Incident, first_press: datetime | None) -> dict:
    """How the vendor's acknowledgement relates to the first press report. One the press reports
    (acknowledged_in) is dated no earlier than that report by its own words: at the same moment it
    is neither "before any press report" nor "0 min after" it, only "as <outlet> reports"."""
    acknowledged = incident.vendor_acknowledged_at
    if first_press is None or acknowledged is None or (incident.acknowledged_in_id and acknowledged == first_press):
        return {"time_to_acknowledge": None, "vendor_posted_first": False}
    return {"time_to_acknowledge": time_to_acknowledge(first_press, acknowledged),
            "vendor_posted_first": acknowledged <= first_press}


def _earlier(incident: Incident, services: list[Service]) -> list[Row]:
    """Earlier public incidents of the same service (of the vendor when no service is known)."""
    earlier = Incident.objects.public().exclude(pk=incident.pk).filter(
        Q(started_at__lt=incident.started_at) | Q(started_at=incident.started_at, pk__lt=incident.pk))
    if services:
        earlier = earlier.filter(Exists(Incident.services.through.objects.filter(
            incident_id=OuterRef("pk"), service_id__in=[s.pk for s in services])))
    elif incident.vendor_id:
        earlier = earlier.filter(vendor_id=incident.vendor_id)
    else:
        return []
    return list(map(_row_maker(), _rows(earlier).order_by("-started_at", "-pk")[:EARLIER_LIMIT]))


# --- vendor and service ----------------------------------------------------------------------------


def _this_month() -> str:
    """Part of a vendor's or service's version: its 12-month chart moves on each month."""
    return f"{timezone.now():%Y-%m}"


@conditional(lambda request, slug: board_views.vendor_version(request, slug, _this_month()))
def vendor_page(request, slug: str):
    vendor = get_object_or_404(Vendor.objects.only("slug", "name", "description", "status_page_url"), slug=slug)
    incidents = Incident.objects.public().filter(vendor=vendor)
    components = board_views.vendor_components(vendor.name, timezone.now())
    page_state = worst_state(c["state"] for c in components)
    return _subject_page(request, incidents, {
        "vendor": vendor, "subject": vendor.name, "filter_params": urlencode({"vendor": vendor.slug}),
        "components": components, "strip_days": board_views.STRIP_DAYS,
        "page_state": page_state, "page_state_word": page_state.replace("_", " ") if page_state else "",
    })


@conditional(lambda request, slug: version_of(Incident.objects.filter(services__slug=slug), _this_month()))
def service_page(request, slug: str):
    service = get_object_or_404(Service.objects.select_related("vendor").only(
        "slug", "name", "description", "vendor__slug", "vendor__name", "vendor__status_page_url"), slug=slug)
    # Driven by the service's rows of the through table: a scan of every incident checking each for
    # the service costs twice as much for a service with few incidents.
    incidents = Incident.objects.public().filter(
        pk__in=Incident.services.through.objects.filter(service_id=service.pk).values("incident_id"))
    return _subject_page(request, incidents, {
        "service": service, "vendor": service.vendor, "subject": f"{service.vendor.name} {service.name}",
        "filter_params": urlencode({"service": service.slug}),
    })


def _subject_page(request, incidents: QuerySet[Incident], context: dict):
    """A vendor's or a service's page: open incidents, the current status from the vendor's latest
    post, recent history, incidents per month over 12 months and the medians of recent outages.

    Three queries here whatever the history's length: the open incidents; the most recent
    RECENT_SAMPLE incidents, each with its first press report, for the history, the latest vendor
    post and the medians; the monthly counts, one aggregate."""
    row = _row_maker()
    open_now = list(map(row, _rows(incidents.filter(status__in=ONGOING_STATUSES)).order_by("-started_at")
                                  [:HAPPENING_LIMIT]))
    newest = incidents.order_by("-started_at", "-pk").values("pk")[:RECENT_SAMPLE]
    recent = list(_rows(Incident.objects.filter(pk__in=newest))
                  .annotate(first_press=Min("memberships__article__published_at",
                                            filter=Q(memberships__article__kind=Article.Kind.NEWS)))
                  .order_by("-started_at", "-pk"))
    latest_post = max((i for i in recent if i.status_count), key=lambda i: (i.last_activity_at, i.pk), default=None)

    months = month_spans(timezone.now())
    counts = incidents.filter(started_at__gte=months[0][0]).aggregate(**{
        f"month_{n}": Count("pk", filter=Q(started_at__gte=start, started_at__lt=end))
        for n, (start, end) in enumerate(months)})
    per_month = [(start.date(), counts[f"month_{n}"]) for n, (start, end) in enumerate(months)]
    outages = [i for i in recent if i.started_at >= months[0][0] and i.severity != Severity.MAINTENANCE
               and i.status not in MAINTENANCE_STATUSES]
    lasted = [i.resolved_at - i.started_at for i in outages if i.resolved_at]
    acknowledged = [span for i in outages
                    if (span := time_to_acknowledge(i.first_press, i.vendor_acknowledged_at)) is not None]
    return render(request, "incidents/subject.html", {
        **context,
        "open_now": open_now,
        "latest_post": row(latest_post) if latest_post else None,
        "history": list(map(row, recent[:HISTORY_LIMIT])),
        "more_history": len(recent) > HISTORY_LIMIT,
        "month_chart": mark_safe(charts.monthly_bars(per_month, context["subject"])),  # noqa: S308 - escaped
        "year_count": sum(n for _, n in per_month),
        "median_duration": median_span(lasted),
        "resolved_count": len(lasted),
        "median_acknowledge": median_span(acknowledged),
        "acknowledged_count": len(acknowledged),
        "sampled": len(recent) == RECENT_SAMPLE,
        "sample_size": RECENT_SAMPLE,
    })
