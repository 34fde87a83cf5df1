"""The read-only JSON API at /api/v1/: plain Django views, thin over what the site already has.

Each endpoint reads its parameters first (a parameter it cannot use is a 400 naming it, before any
query), then answers a repeat request with 304 and a known version from the shared page cache
(incidents.site.conditional, the pages' own versions), and otherwise runs a fixed number of queries
whatever the archive's size or the page's length: the incident list at most five (its page's ids and
times, the content version, the vendor or service it names, the rows, their services). The shapes are
written by serialise.py and described by openapi.py.

Anonymous clients are limited per address (OUTAGEHUB_API_RATE, counted in Django's cache, before
anything else runs): over the limit, 429 with Retry-After.
"""

from functools import cache, wraps

from django.conf import settings
from django.db.models import Max, OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from incidents.api import openapi, ratelimit, serialise
from incidents.api.params import ListRequest, parse_list_request, parse_vendor_param, unknown_parameters
from incidents.models import Incident, Service, Vendor
from incidents.site.board_views import board_for, board_version, wanted_vendors
from incidents.site.conditional import Version, conditional, version_at, version_of, version_of_shown
from incidents.site.feeds import catalogue_names
from incidents.site.filters import FilterRefused, IncidentFilter
from incidents.site.queries import filtered_incidents
from incidents.site.timeline import Cursor
from incidents.site.views import incident_sources, incident_version, slug_url, summary_statements
from outagehub import throttle

# What an incident in a list needs: not its clustering state, the biggest part of its row.
LIST_DEFERRED = ("profile", "tally", "overridden_fields")
OPEN_LIMIT = 50  # open incidents on a vendor's answer; the incident list pages through all


def problem(status: int, error: str, message: str, **more) -> JsonResponse:
    """The one shape of every error: {"error": a word, "message": for a person, …}."""
    return JsonResponse({"error": error, "message": message, **more}, status=status)


def not_found(what: str) -> JsonResponse:
    return problem(404, "not_found", f"No {what} here: it may never have existed, or have been removed.")


@cache
def _rate(text: str) -> ratelimit.Rate:
    return ratelimit.parse_rate(text)


def rate_limited(view):
    """Count the request against its client's allowance in the shared cache; over it, 429 with
    Retry-After. Every answer says the limit, what is left and the seconds until the window resets.
    A cache that fails lets requests through (logged): the limit protects the site, it must not
    take it down."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        rate = _rate(settings.OUTAGEHUB_API_RATE)
        allowance = throttle.spend("api-rate", throttle.client_of(request), rate)
        client, used, reset = allowance.client, allowance.used, allowance.reset
        if used > rate.requests:
            response = problem(429, "rate_limited", f"Too many requests from {client}: at most {rate.requests} in "
                                                    f"{rate.seconds} s. Try again in {reset} s.", retry_after=reset)
            response.headers["Retry-After"] = str(reset)
        else:
            response = view(request, *args, **kwargs)
        response.headers["X-RateLimit-Limit"] = str(rate.requests)
        response.headers["X-RateLimit-Remaining"] = str(max(0, rate.requests - used))
        response.headers["X-RateLimit-Reset"] = str(reset)
        response.headers["Access-Control-Allow-Origin"] = "*"  # read-only, public and cookie-free
        return response

    return wrapper


def refusing_in_json(view):
    """A parameter the endpoint cannot use (FilterRefused, from the version or the view) is a 400
    naming each problem."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except FilterRefused as refused:
            return problem(400, "bad_request", "; ".join(refused.problems), problems=list(refused.problems))

    return wrapper


def endpoint(version_for):
    """An API view: rate-limited, GET and HEAD only (405 otherwise: it is read-only), parameters
    refused in JSON, conditional GET and the page cache on `version_for`'s version."""

    def decorator(view):
        return rate_limited(require_safe(refusing_in_json(conditional(version_for)(view))))

    return decorator


def answer(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def links_for(request: HttpRequest) -> serialise.Links:
    site = request.build_absolute_uri("/").rstrip("/")

    def absolute(name: str):
        path = slug_url(name)
        return lambda slug: site + path(slug)

    return serialise.Links(incident=absolute("api:incident"), incident_page=absolute("incident"),
                           vendor=absolute("api:vendor"), vendor_page=absolute("vendor"),
                           service_page=absolute("service"))


# --- incidents -------------------------------------------------------------------------------------


def incident_page_rows(asked: ListRequest):
    """The ids of the page's incidents and one more (which says whether there is a next page), newest
    first by the order's column then id, after the cursor's row: keyset paging."""
    incidents = filtered_incidents(asked.wanted)
    column = asked.column
    if asked.after:
        incidents = (incidents.filter(**{f"{column}__lte": asked.after.at})
                     .exclude(**{column: asked.after.at, "pk__gte": asked.after.pk}))
    return incidents.order_by(f"-{column}", "-pk")[:asked.limit + 1]


def _list_version(request: HttpRequest) -> Version:
    """The ids and change times of exactly the incidents the page shows (one narrow query); the
    parameters are read first, so a bad one is refused before any query."""
    request.api_asked = parse_list_request(request.GET)
    return version_of_shown(incident_page_rows(request.api_asked), request.GET.urlencode())


def with_services(incidents):
    return incidents.select_related("vendor").defer(*LIST_DEFERRED).prefetch_related(
        Prefetch("services", queryset=Service.objects.only("slug", "name").order_by("name")))


@endpoint(_list_version)
def incident_list(request: HttpRequest) -> JsonResponse:
    asked: ListRequest = request.api_asked
    wanted = asked.wanted
    if wanted.vendor or wanted.service:
        names = catalogue_names(vendors={wanted.vendor} - {""}, services={wanted.service} - {""})
        unknown = [f"unknown {kind} {value!r}; see {reverse(f'api:{kind}s')} for the names"
                   for kind, value in (("vendor", wanted.vendor), ("service", wanted.service))
                   if value and (kind, value) not in names]
        if unknown:
            raise FilterRefused(unknown)
    column = asked.column
    rows = list(with_services(Incident.objects.filter(pk__in=incident_page_rows(asked).values("pk")))
                .order_by(f"-{column}", "-pk"))
    more, rows = len(rows) > asked.limit, rows[:asked.limit]
    links = links_for(request)
    base = request.build_absolute_uri(request.path)
    following = ""
    if more:
        last = rows[-1]
        following = f"{base}?{urlencode(asked.as_params(after=Cursor(getattr(last, column), last.pk)))}"
    return answer({
        "incidents": [serialise.incident_item(i, i.services.all(), links) for i in rows],
        "next": following or None,
        "order": asked.order,
        "limit": asked.limit,
        "filters": wanted.as_params(),
    })


def _incident_lookup(ref: str) -> dict:
    """An incident by its number or its slug (a slug begins with its day, 2026-11-18-…: never all digits)."""
    return {"pk": int(ref)} if ref.isdigit() and len(ref) <= 18 else {"slug": ref}


def _detail_version(request: HttpRequest, ref: str) -> Version:
    if request.GET:
        raise FilterRefused(unknown_parameters(request.GET, ()))
    return incident_version(request, **_incident_lookup(ref))


@endpoint(_detail_version)
def incident_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One incident; a merged one moves for good to the incident it joined, a hidden one is gone."""
    incident = request.incident
    if incident is not None and incident.merged_into_id:
        survivor = Incident.objects.values_list("slug", flat=True).get(pk=incident.merged_into_id)
        return HttpResponsePermanentRedirect(reverse("api:incident", args=[survivor]))
    if incident is None or incident.hidden:
        return not_found("incident")
    links = links_for(request)
    services = list(incident.services.only("slug", "name").order_by("name"))
    why, takeaways = summary_statements(incident.summary)
    sources, updates, citations = incident_sources(incident, [*why, *takeaways])
    summary = serialise.summary_item(incident.summary, why, takeaways, citations, links)
    return answer(serialise.incident_detail(incident, services, summary, sources, updates, links))


# --- vendors and services --------------------------------------------------------------------------


def _no_parameters(version_for):
    def version(request: HttpRequest, *args, **kwargs) -> Version:
        if request.GET:
            raise FilterRefused(unknown_parameters(request.GET, ()))
        return version_for(request, *args, **kwargs)

    return version


@endpoint(_no_parameters(lambda request: version_of(Vendor.objects.all())))
def vendor_list(request: HttpRequest) -> JsonResponse:
    links = links_for(request)
    vendors = Vendor.objects.only("slug", "name", "description", "status_page_url").order_by("name", "slug")
    return answer({"vendors": [serialise.vendor_item(v, links) for v in vendors]})


def _vendor_version(request: HttpRequest, slug: str) -> Version:
    """The vendor's row, its services' and its incidents' newest change, in one query."""
    latest = Vendor.objects.filter(slug=slug).values(
        "updated_at",
        services_changed=Subquery(Service.objects.filter(vendor_id=OuterRef("pk")).order_by("-updated_at")
                          .values("updated_at")[:1]),
        incidents_changed=Subquery(Incident.objects.filter(vendor_id=OuterRef("pk")).order_by("-updated_at")
                           .values("updated_at")[:1]),
    ).first() or {}
    moments = [moment for moment in latest.values() if moment]
    return version_at(max(moments, default=None), *(m.isoformat() for m in moments))


@endpoint(_no_parameters(_vendor_version))
def vendor_detail(request: HttpRequest, slug: str) -> JsonResponse:
    """A vendor, its services and its open incidents."""
    vendor = Vendor.objects.only("slug", "name", "description", "status_page_url").filter(slug=slug).first()
    if vendor is None:
        return not_found("vendor")
    links = links_for(request)
    services = Service.objects.filter(vendor=vendor).only("slug", "name", "description").order_by("name")
    open_now = list(with_services(filtered_incidents(IncidentFilter(vendor=slug, status="ongoing")))
                    .order_by("-started_at", "-pk")[:OPEN_LIMIT])
    return answer({
        **serialise.vendor_item(vendor, links),
        "services": [serialise.service_item(s, links) for s in services],
        "open_incidents": [serialise.incident_item(i, i.services.all(), links) for i in open_now],
        "incidents_url": request.build_absolute_uri(reverse("api:incidents") + "?" + urlencode({"vendor": slug})),
        "status_url": request.build_absolute_uri(reverse("api:status") + "?" + urlencode({"v": slug})),
    })


def _services_version(request: HttpRequest) -> Version:
    request.api_vendor = parse_vendor_param(request.GET)
    latest = Service.objects.aggregate(services=Max("updated_at"), vendors=Max("vendor__updated_at"))
    moments = [moment for moment in latest.values() if moment]
    return version_at(max(moments, default=None), *(m.isoformat() for m in moments), request.GET.urlencode())


@endpoint(_services_version)
def service_list(request: HttpRequest) -> JsonResponse:
    """Every service, or one vendor's (?vendor=); an unknown vendor is a 400 naming it."""
    vendor = request.api_vendor
    services = Service.objects.select_related("vendor").only("slug", "name", "description", "vendor__slug",
                                                             "vendor__name").order_by("vendor__name", "name")
    if vendor:
        services = services.filter(vendor__slug=vendor)
    links = links_for(request)
    found = [serialise.service_item(s, links, vendor=s.vendor) for s in services]
    if vendor and not found and not Vendor.objects.filter(slug=vendor).exists():
        raise FilterRefused([f"unknown vendor {vendor!r}; see {reverse('api:vendors')} for the names"])
    return answer({"services": found})


# --- the status board ------------------------------------------------------------------------------


def _status_version(request: HttpRequest) -> Version:
    problems = unknown_parameters(request.GET, ("v",))
    if problems:
        raise FilterRefused(problems)
    return board_version(request)


@endpoint(_status_version)
def status(request: HttpRequest) -> JsonResponse:
    """Every vendor now, as /status shows it (incidents.site.board): the same ?v= and the same refusals."""
    links = links_for(request)
    rows = board_for(wanted_vendors(request))
    return answer({"generated_at": serialise.moment(timezone.now()), "vendors": [serialise.board_item(r, links)
                                                                                 for r in rows]})


# --- the description -------------------------------------------------------------------------------


@rate_limited
@require_safe
def openapi_document(request: HttpRequest) -> JsonResponse:
    return answer(openapi.document(request.build_absolute_uri("/").rstrip("/")))


def docs_page(request: HttpRequest) -> HttpResponse:
    """/api/: the OpenAPI document for people, drawn on the server (no script)."""
    site = request.build_absolute_uri("/").rstrip("/")
    document = openapi.document(site)
    return render(request, "incidents/api.html", {
        "info": document["info"], "endpoints": openapi.endpoints(document), "schemas": openapi.schema_rows(document),
        "site": site,
        "document_url": reverse("api:openapi"), "rate": settings.OUTAGEHUB_API_RATE,
    })
