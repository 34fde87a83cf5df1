import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident
from tests.factories import ArticleFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def run() -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command("lifecycle_check", "--json", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_a_lone_post_incident_report_alone_does_not_fail_it():
    IncidentFactory(status=Incident.Status.RESOLVED, news_count=1, post_incident_report=ArticleFactory())
    code, figures = run()
    assert code == 0 and figures["post_incident_reports_alone"] == 1


def test_a_clean_archive_passes_and_reports_the_unknown_severity_share():
    now = timezone.now()
    IncidentFactory(status=Incident.Status.QUIET, news_count=3, severity=0, started_at=now - timedelta(days=2))
    IncidentFactory(status=Incident.Status.RESOLVED, news_count=4, started_at=now - timedelta(days=3),
                    resolved_at=now - timedelta(days=3) + timedelta(hours=2))
    code, figures = run()
    assert code == 0
    assert (figures["severity_unknown_with_3_sources"], figures["incidents_with_3_sources"]) == (1, 2)
    assert figures["severity_unknown_share"] == 0.5


def test_stale_ongoing_press_reports_and_zero_minute_outages_fail_it_and_lone_post_incident_reports_are_listed():
    now = timezone.now()
    stale = IncidentFactory(status=Incident.Status.REPORTED, news_count=1, started_at=now - timedelta(days=30))
    IncidentFactory(status=Incident.Status.INVESTIGATING, status_count=1, started_at=now - timedelta(days=30))
    zero = IncidentFactory(status=Incident.Status.RESOLVED, started_at=now, resolved_at=now, news_count=1)
    IncidentFactory(status=Incident.Status.RESOLVED, started_at=now, resolved_at=now, status_count=1)  # vendor's record
    IncidentFactory(status=Incident.Status.RESOLVED, started_at=now, resolved_at=now + timedelta(seconds=38))
    alone = IncidentFactory(status=Incident.Status.RESOLVED, news_count=1, post_incident_report=ArticleFactory())
    code, figures = run()
    assert code == 1
    assert figures["details"] == {"ongoing_past_quiet_period": [stale.slug], "zero_minute_resolved": [zero.slug],
                                  "post_incident_reports_alone": [alone.slug]}
