"""What alerts follow of an incident, read from its row in memory (no query): the pipeline compares it
before and after deriving, and marks the incident's alerts due only when it changed."""

from incidents.alerts.events import IncidentState
from incidents.models import OVER_STATUSES, Incident


def state_of(incident: Incident) -> IncidentState:
    return IncidentState(
        severity=int(incident.severity or 0),
        acknowledged=incident.vendor_acknowledged_at is not None,
        over=incident.status in OVER_STATUSES,
        has_report=incident.post_incident_report_id is not None,
    )
