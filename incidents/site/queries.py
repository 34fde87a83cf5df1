"""The incident querysets that pages and feeds share: what readers may see, filtered as they asked."""

from datetime import UTC, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from incidents.models import ONGOING_STATUSES, OVER_STATUSES, Incident, IncidentRegion
from incidents.site.filters import IncidentFilter

# An incident left open with no news or post for this long is not "happening now" (a vendor that never
# posted its resolution, a press report nobody followed up): the "ongoing" filter still lists it.
HAPPENING_QUIET = timedelta(days=3)


# Happening now: what is ongoing, maintenance only once it is in progress. A press-only incident with no
# report for the quiet period is "quiet" (pipeline.quieten), so it is not among them.
HAPPENING_STATUSES = tuple(status for status in ONGOING_STATUSES if status != Incident.Status.SCHEDULED)


def live_incidents(incidents: QuerySet[Incident] | None = None) -> QuerySet[Incident]:
    """The incidents happening now, among `incidents` (every public one by default): the one
    definition the timeline's "Happening now" and the status board share."""
    incidents = Incident.objects.public() if incidents is None else incidents
    return incidents.filter(status__in=HAPPENING_STATUSES, last_activity_at__gte=timezone.now() - HAPPENING_QUIET)


def filtered_incidents(wanted: IncidentFilter) -> QuerySet[Incident]:
    """Public incidents matching the filter; each condition is an indexed column or an EXISTS on an
    index, so the cost does not grow with what is filtered out."""
    incidents = Incident.objects.public()
    if wanted.vendor:
        incidents = incidents.filter(vendor__slug=wanted.vendor)
    if wanted.service:
        incidents = incidents.filter(Exists(Incident.services.through.objects.filter(
            incident_id=OuterRef("pk"), service__slug=wanted.service)))
    if wanted.status == "ongoing":  # the open statuses by name: an IN on the status index, not a scan
        incidents = incidents.filter(status__in=ONGOING_STATUSES)
    elif wanted.status == "resolved":
        incidents = incidents.filter(status__in=OVER_STATUSES)
    elif wanted.status:
        incidents = incidents.filter(status=wanted.status)
    if wanted.severity_level is not None:
        incidents = incidents.filter(severity=wanted.severity_level)
    if wanted.region:
        incidents = incidents.filter(Exists(IncidentRegion.objects.filter(incident_id=OuterRef("pk"),
                                                                          label=wanted.region)))
    if wanted.start:
        incidents = incidents.filter(started_at__gte=datetime.combine(wanted.start, time.min, UTC))
    if wanted.end:
        incidents = incidents.filter(started_at__lt=datetime.combine(wanted.end, time.min, UTC) + timedelta(days=1))
    return incidents
