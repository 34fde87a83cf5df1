"""Issue 11, finding 7: private addresses are allowed per source, never for links found inside items.

Corpus: tests/fixtures/hostile/internal-link-teaser.rss (a feed whose teaser links to an internal page)
and internal-runbook.html (that page). The tests' HTTP server is on 127.0.0.1: a loopback address, refused
like any intranet host unless the fetch may reach private addresses.
"""

import pytest

from articles.models import Article, Source
from articles.polling import poll_source
from articles.scraping import scrape_article
from tests.factories import SourceFactory
from tests.httpserver import FIXTURES_DIR, redirect_to

pytestmark = pytest.mark.django_db

ARS = "technews/arstechnica-feed-2025-10-25-aws-outage.rss"
RUNBOOK = "/wiki/incident-runbook"


def test_a_link_inside_an_item_never_reaches_a_private_address(http_server, settings):
    # The most permissive configuration: the switch on, and the source itself allowed private addresses.
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True
    settings.OUTAGEHUB_SCRAPE_TEASERS = True
    feed = (FIXTURES_DIR / "hostile" / "internal-link-teaser.rss").read_text()
    http_server.serve("/wire.rss", feed.replace("{internal}", http_server.base_url), content_type="application/rss+xml")
    http_server.serve_file(RUNBOOK, "hostile/internal-runbook.html")
    source = SourceFactory(url=http_server.url("/wire.rss"), allow_private_addresses=True)

    report = poll_source(source.pk)
    assert report.new == 1 and report.to_scrape  # the source's own URL may be private: it was fetched
    assert scrape_article(report.to_scrape[0]) == "failed"

    article = Article.objects.get()
    assert "INTERNAL ONLY" not in article.body_text
    assert "refused: 127.0.0.1 is a loopback address" in article.scrape_error
    assert http_server.requests(RUNBOOK) == []  # refused before connecting


@pytest.mark.parametrize(
    ("switch", "source_allows", "outcome"),
    [(True, True, "changed"), (True, False, "error"), (False, True, "error"), (False, False, "error")],
)
def test_a_sources_own_url_may_be_private_only_when_the_switch_and_the_source_both_allow_it(
    http_server, settings, switch, source_allows, outcome
):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = switch
    http_server.serve_file("/ars.rss", ARS)
    source = SourceFactory(url=http_server.url("/ars.rss"), allow_private_addresses=source_allows)
    report = poll_source(source.pk)
    assert report.outcome == outcome
    if outcome == "error":
        assert report.error.startswith("refused: 127.0.0.1 is a loopback address (allowed only for a source's own URL")
        assert http_server.requests("/ars.rss") == []


def test_the_redirects_of_a_sources_own_url_follow_the_same_rule(http_server, settings):
    settings.OUTAGEHUB_ALLOW_PRIVATE_SOURCES = True
    http_server.serve_file("/ars.rss", ARS)
    allowed = SourceFactory(url=redirect_to(http_server, "/ars.rss"), allow_private_addresses=True)
    assert poll_source(allowed.pk).new == 20
    refused = SourceFactory(url=redirect_to(http_server, "/ars.rss", code=301), allow_private_addresses=False)
    assert poll_source(refused.pk).outcome == "error"
    assert Source.objects.get(pk=refused.pk).last_error.startswith("refused: 127.0.0.1 is a loopback address")
