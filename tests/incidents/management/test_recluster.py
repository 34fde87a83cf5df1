from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from articles.ingest import store_items
from incidents.models import Incident, Membership
from incidents.pipeline import process_article
from tests.factories import ItemFactory, SourceFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)


def place(source, title, url):
    body = "<p>Websites behind Cloudflare failed with 500 errors for hours on Tuesday, the company said.</p>"
    item = ItemFactory(title=title, url=url, content_html=body, summary_html="", published_at=T0)
    for article_id in store_items(source, [item], fetched_at=T0).new_ids:
        process_article(article_id)


def test_it_rebuilds_the_same_incidents_from_stored_articles(capsys):
    source = SourceFactory()
    place(source, "Widespread Cloudflare outage blamed on mysterious traffic spike", "https://a.example/1")
    place(source, "Cloudflare outage takes down thousands of websites", "https://a.example/2")
    before = Incident.objects.count()
    call_command("recluster")
    assert Incident.objects.count() == before == 1
    assert Membership.objects.count() == 2
    assert capsys.readouterr().out.strip() == "reclustered 2 articles: 2 placed in 1 incidents"


def test_articles_an_editor_placed_stay_where_they_are():
    source = SourceFactory()
    place(source, "Widespread Cloudflare outage blamed on mysterious traffic spike", "https://a.example/1")
    Membership.objects.update(assigned_by=Membership.AssignedBy.EDITOR)
    incident = Incident.objects.get()
    call_command("recluster")
    assert Membership.objects.get().incident_id == incident.pk


def test_a_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("recluster", "--since", "last tuesday")
