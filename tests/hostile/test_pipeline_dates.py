"""Dates at the ends of what Python can hold (issue 11, finding 3): an article dated year 1 or 9999
made the pipeline's time window overflow, and `fetch_sources --sync` stopped with a Traceback
before placing any article of any source. Now such an article is placed like any other."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from articles.models import Article
from incidents.models import Membership
from incidents.pipeline import process_article
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
BODY = "Cloudflare is down: websites show 500 Internal Server Error pages. Cloudflare is investigating the outage."


@pytest.mark.parametrize("when", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)])
def test_an_article_dated_at_the_ends_of_time_is_placed_and_so_are_the_others(when):
    # Made directly, as a row ingest let through would be (ingest now refuses such dates on its own).
    extreme = ArticleFactory(title="Cloudflare outage: 500 Internal Server Error for websites", body_text=BODY,
                             published_at=when)
    normal = ArticleFactory(title="Cloudflare outage: websites show 500 Internal Server Error pages",
                            body_text=BODY)
    assert process_article(extreme.pk).action == "opened"
    assert process_article(normal.pk).incident_id is not None
    assert Membership.objects.count() == 2


def test_a_feed_with_an_item_dated_year_1_is_fetched_and_every_article_placed(http_server, capsys):
    http_server.serve_file("/year-0001.rss", "hostile/year-0001.rss")
    SourceFactory(slug="wire", url=http_server.url("/year-0001.rss"))
    call_command("fetch_sources", "--sync")
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert "fetched 1 sources: 3 new" in summary and "3 articles placed in incidents, 0 could not be processed" in (
        summary)
    assert Membership.objects.count() == Article.objects.count() == 3
