from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from incidents.models import Incident
from incidents.pipeline import process_article
from incidents.summaries import write_summary
from tests.factories import ItemFactory, SourceFactory, stored

pytestmark = pytest.mark.django_db


def test_the_incident_page_in_admin_lists_every_summary_version_with_its_backend(admin_client):
    press = SourceFactory(name="Ars Technica")
    first = ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike",
                        published_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC))
    incident_id = process_article(stored(press, first).pk).incident_id
    write_summary(incident_id)
    second = ItemFactory(title="Cloudflare outage takes down X and ChatGPT", url="https://news.example/cf-2",
                         published_at=datetime(2025, 11, 18, 12, 30, tzinfo=UTC))
    process_article(stored(press, second).pk)
    write_summary(incident_id)
    incident = Incident.objects.get(pk=incident_id)
    page = admin_client.get(reverse("admin:incidents_incident_change", args=[incident_id]))
    assert page.status_code == 200
    html = page.content.decode()
    for row in incident.summaries.all():
        assert escape(" ".join(s["text"] for s in row.why_this_matters))[:60] in html
    assert html.count(">offline<") == 2
