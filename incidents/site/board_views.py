"""/status, the board of every vendor now, and the component strips of a vendor's page.

Thin: the rows are decided in board.py, the history in uptime.py, the strips drawn in charts.py.
The board runs five queries whatever the archive's size (its version, the status sources, the live
incidents, their outlets, the vendors); a vendor's components one (each with the changes of the
window and the one that started its current state).
"""

import re
from datetime import datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from articles.models import Article, ComponentStateChange, Source
from incidents.models import Incident, Membership, Vendor
from incidents.site import board, charts, uptime
from incidents.site.conditional import Version, conditional, version_at
from incidents.site.filters import FilterRefused
from incidents.site.queries import live_incidents

STRIP_DAYS = 90
VENDOR_LIST_LIMIT = 50  # vendors named in one ?v=
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def wanted_vendors(request) -> list[str]:
    """The vendors' slugs of ?v=github,cloudflare, lower case."""
    return [part.strip().lower() for part in request.GET.get("v", "").split(",") if part.strip()]


def board_version(request) -> Version:
    """Any incident's change, any poll of a status source, and the minute: the board writes "checked
    N s ago", so a kept copy is at most a minute old."""
    latest = Source.objects.exclude(vendor_name="").aggregate(
        fetched=Max("last_fetch_at"), failed=Max("last_error_at"), succeeded=Max("last_success_at"),
        state=Max("page_state_since"),
        incidents=Max(Subquery(Incident.objects.order_by("-updated_at").values("updated_at")[:1])))
    return version_at(_newest(latest), *_each(latest), request.GET.urlencode(), f"{timezone.now():%Y-%m-%dT%H:%M}")


@conditional(board_version)
def status_board(request):
    wanted = wanted_vendors(request)
    try:
        rows = board_for(wanted)
    except FilterRefused as refused:
        return _refused(request, list(refused.problems))
    return render(request, "incidents/status_board.html", {
        "rows": rows, "wanted": wanted, "now": timezone.now(), "disagree_outlets": board.DISAGREE_OUTLETS,
    })


def board_for(wanted: list[str]) -> list[board.BoardRow]:
    """The board's rows, of the `wanted` vendors' slugs only when any are given (four queries);
    FilterRefused naming a malformed or unknown vendor, or too many."""
    malformed = [slug for slug in wanted if not _SLUG.match(slug)]
    if malformed or len(wanted) > VENDOR_LIST_LIMIT:
        problems = [f"“{slug[:80]}” is not a vendor's name in an address (letters, digits and dashes, "
                    "as in /status?v=github,cloudflare)." for slug in malformed[:5]]
        if len(wanted) > VENDOR_LIST_LIMIT:
            problems.append(f"At most {VENDOR_LIST_LIMIT} vendors in one board; this asks for {len(wanted)}.")
        raise FilterRefused(problems)

    sources = list(Source.objects.filter(enabled=True).exclude(vendor_name="").order_by("name").values(
        "name", "vendor_name", "health", "last_fetch_at", "last_error", "page_state", "page_state_label",
        "page_state_since"))
    live = list(live_incidents().select_related("vendor").order_by("-started_at").values(
        "pk", "slug", "title", "subject", "severity", "status_count", "started_at", "vendor__name", "vendor__slug"))
    outlets = dict(Membership.objects.filter(incident_id__in=[i["pk"] for i in live], article__kind=Article.Kind.NEWS)
                   .values("incident_id").annotate(outlets=Count("article__source_id", distinct=True))
                   .values_list("incident_id", "outlets")) if live else {}
    names = {s["vendor_name"] for s in sources} | {i["vendor__name"] for i in live if i["vendor__name"]}
    vendors = list(Vendor.objects.filter(Q(name__in=names) | Q(slug__in=wanted)).values_list("slug", "name"))

    unknown = sorted(set(wanted) - {slug for slug, _ in vendors})
    if unknown:
        raise FilterRefused([f"No vendor “{slug}” is known here: check the spelling against the vendors "
                             "on the board, or leave it out of ?v=." for slug in unknown])
    if wanted:
        keep = {name for slug, name in vendors if slug in wanted}
        vendors = [(slug, name) for slug, name in vendors if name in keep]
        sources = [s for s in sources if s["vendor_name"] in keep]
        live = [i for i in live if i["vendor__name"] in keep]
    return board.board_rows(
        vendors,
        [board.StatusSource(s["name"], s["vendor_name"], s["health"], s["last_fetch_at"], s["last_error"],
                            s["page_state"], s["page_state_label"], s["page_state_since"]) for s in sources],
        [board.LiveIncident(i["slug"], i["title"], i["vendor__name"] or i["subject"], i["severity"],
                            i["status_count"] > 0, outlets.get(i["pk"], 0), i["started_at"]) for i in live],
    )


def _refused(request, problems: list[str]):
    return render(request, "incidents/refused_filter.html", {"problems": problems}, status=400)


# --- a vendor's components -------------------------------------------------------------------------


def vendor_version(request, slug: str, *extra: object) -> Version:
    """A vendor page's version in one query: its incidents' newest change and its components' newest
    state change; and the hour, since its strips and uptime run to now."""
    latest = Vendor.objects.filter(slug=slug).values(
        incidents_changed=Subquery(Incident.objects.filter(vendor_id=OuterRef("pk")).order_by("-updated_at")
                           .values("updated_at")[:1]),
        components_changed=Subquery(ComponentStateChange.objects.filter(component__source__vendor_name=OuterRef("name"))
                            .order_by("-since").values("since")[:1]),
    ).first() or {}
    return version_at(_newest(latest), *_each(latest), f"{timezone.now():%Y-%m-%dT%H}", *extra)


def _newest(moments: dict) -> datetime | None:
    return max((moment for moment in moments.values() if moment), default=None)


def _each(moments: dict) -> list[str]:
    """Every moment of a version, not only the newest: a change older than another part's newest
    (a component's, under an incident's later edit) must change the version too."""
    return [moment.isoformat() if moment else "" for moment in moments.values()]


def vendor_components(vendor_name: str, now: datetime) -> list[dict]:
    """Each listed component of the vendor's status sources: its state now, its strip over
    STRIP_DAYS days and its uptime. One query: the changes inside the window, and the one that began
    each component's current state (so a component calm all along is there too), with their component."""
    first_day = (now - timedelta(days=STRIP_DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    changes = (ComponentStateChange.objects
               .filter(component__source__vendor_name=vendor_name, component__listed=True,
                       component__source__enabled=True)
               .filter(Q(since__gte=first_day) | Q(since=Subquery(
                   ComponentStateChange.objects.filter(component_id=OuterRef("component_id"))
                   .order_by("-since").values("since")[:1])))
               .select_related("component__source")
               .only("since", "from_state", "to_state", "component__name", "component__group",
                     "component__state", "component__vendor_label", "component__since", "component__position",
                     "component__source__name")
               .order_by("component__source__name", "component__position", "component_id", "since"))
    found: dict[int, dict] = {}
    for change in changes:
        component = change.component
        entry = found.setdefault(component.pk, {"component": component, "changes": []})
        entry["changes"].append(uptime.Change(change.since, change.from_state, change.to_state))
    result = []
    for number, entry in enumerate(found.values()):
        component = entry["component"]
        history = uptime.spans(entry["changes"], component.state, component.since, first_day, now)
        percent = uptime.uptime(history)
        days = uptime.daily_worst(history, first_day, STRIP_DAYS)
        result.append({
            "name": component.name, "group": component.group, "source": component.source.name,
            "state": component.state, "state_word": component.state.replace("_", " "),
            "label": component.vendor_label, "since": component.since, "uptime": percent,
            "strip": mark_safe(charts.component_strip(component.name, days, percent, f"strip-{number}")),  # noqa: S308 - escaped in charts
        })
    return result
