"""The pipeline marks an incident's alerts due only when what they follow changed, in the UPDATE it makes anyway."""

from datetime import timedelta

import pytest

from incidents.models import Incident
from incidents.pipeline import process_article
from tests.factories import SourceFactory, stored
from tests.incidents.cloudflare_outage import T0, cloudflare_post, news

pytestmark = pytest.mark.django_db


def test_a_join_that_changes_nothing_alerts_follow_leaves_the_incident_not_due():
    status = SourceFactory(kind="statuspage", vendor_name="Cloudflare")
    press = SourceFactory(kind="feed")
    incident_id = process_article(stored(status, cloudflare_post()).pk).incident_id
    assert Incident.objects.get(pk=incident_id).alerts_due_at is not None  # a new incident is due
    Incident.objects.filter(pk=incident_id).update(alerts_due_at=None)
    joined = process_article(stored(press, news("Cloudflare outage: sites show 500 errors",
                                                at=T0 + timedelta(minutes=30))).pk)
    assert joined.action == "joined" and Incident.objects.get(pk=incident_id).alerts_due_at is None
