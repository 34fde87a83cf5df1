"""Articles pending for the incident pipeline: recorded in the database, swept again after a bound."""

from datetime import UTC, datetime, timedelta

import pytest

from articles import pending
from articles.ingest import store_items
from articles.models import Article
from incidents.pipeline import process_article
from tests.factories import ArticleFactory, ItemFactory, SourceFactory, StatusItemFactory, stored

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)


def test_an_article_is_pending_from_storing_until_the_pipeline_has_processed_it():
    article = stored(SourceFactory(vendor_name="Example"), StatusItemFactory())
    assert article.pending_since is not None
    process_article(article.pk)
    article.refresh_from_db()
    assert article.pending_since is None


def test_a_changed_article_is_pending_again():
    source = SourceFactory()
    item = ItemFactory(title="Widespread Cloudflare outage")
    article = stored(source, item)
    process_article(article.pk)
    store_items(source, [ItemFactory(external_id=item.external_id, title="Cloudflare outage: fixed")],
                fetched_at=NOON + timedelta(hours=1), scrape_teasers=False)
    article.refresh_from_db()
    assert article.pending_since == NOON + timedelta(hours=1)


def test_the_sweep_takes_only_what_is_pending_longer_than_its_bound(settings):
    settings.OUTAGEHUB_REDELIVER_AFTER = 300
    old = ArticleFactory(pending_since=NOON - timedelta(seconds=301))
    ArticleFactory(pending_since=NOON - timedelta(seconds=299))
    ArticleFactory(pending_since=None)
    teaser = ArticleFactory(pending_since=NOON - timedelta(hours=2), scrape_state=Article.ScrapeState.PENDING)

    taken = pending.take_overdue(NOON)

    assert (taken.to_process, taken.to_scrape) == ([old.pk], [teaser.pk])


def test_the_sweep_leases_what_it_takes_so_the_next_sweep_leaves_it_alone(settings):
    settings.OUTAGEHUB_REDELIVER_AFTER = 300
    article = ArticleFactory(pending_since=NOON - timedelta(hours=1))
    assert len(pending.take_overdue(NOON)) == 1
    assert len(pending.take_overdue(NOON + timedelta(seconds=299))) == 0
    assert pending.take_overdue(NOON + timedelta(seconds=301)).to_process == [article.pk]  # lost again: again


def test_a_source_s_pending_articles_whatever_their_age():
    source = SourceFactory()
    fresh = ArticleFactory(source=source, pending_since=NOON)
    ArticleFactory(source=source, pending_since=None)
    ArticleFactory(pending_since=NOON)  # another source's
    assert pending.of_sources([source.pk]).to_process == [fresh.pk]
