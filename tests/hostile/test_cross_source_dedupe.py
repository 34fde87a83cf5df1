"""Issue 11, finding 5: a news item linking to a vendor's incident kept the vendor's own post out for good
(new=0, no error). Status posts dedupe by source and id only; news dedupes with news, and a copy is
recorded (linked to the article it copies, counted on the poll), not dropped silently."""

from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article, DuplicateItem, FetchAttempt
from articles.polling import poll_source
from tests.factories import ArticleFactory, SourceFactory

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
FETCHED_AT = datetime(2025, 11, 18, 12, 30, tzinfo=UTC)
STORY = "https://news.example/2025/11/acme-outage"

pytestmark = pytest.mark.django_db


def items(kind: str, name: str):
    return parse_payload(kind, (CORPUS / name).read_bytes())


@pytest.fixture
def status_source():
    return SourceFactory(kind="statuspage", vendor_name="Acme")


def test_a_news_item_linking_to_the_incident_first_does_not_keep_the_vendors_post_out(status_source):
    assert store_items(SourceFactory(), items("feed", "cross-source-news.rss"), FETCHED_AT).new == 2
    result = store_items(status_source, items("statuspage", "cross-source-status.json"), FETCHED_AT)
    assert (result.new, result.duplicates) == (1, 0)
    post = Article.objects.get(source=status_source)
    assert (post.vendor_incident_id, post.url, post.dedupe_url) == ("k4x9q2", "https://stspg.io/k4x9q2", None)
    assert list(post.updates.values_list("key", flat=True)) == ["u1"]


def test_the_vendors_post_first_does_not_keep_the_news_item_out_either(status_source):
    store_items(status_source, items("statuspage", "cross-source-status.json"), FETCHED_AT)
    result = store_items(SourceFactory(), items("feed", "cross-source-news.rss"), FETCHED_AT)
    assert (result.new, result.duplicates) == (2, 0)
    assert Article.objects.count() == 3


def test_a_status_post_stored_before_this_rule_gives_its_dedupe_link_up_in_the_migration():
    old_post = ArticleFactory(kind="status", url="https://stspg.io/k4x9q2", dedupe_url="https://stspg.io/k4x9q2")
    news = ArticleFactory(url=STORY)
    migration = import_module("articles.migrations.0005_status_posts_dedupe_by_id_duplicate_items")
    migration.status_posts_dedupe_by_id_only(apps, None)
    old_post.refresh_from_db(), news.refresh_from_db()
    assert (old_post.dedupe_url, news.dedupe_url) == (None, STORY)


def test_a_second_feed_carrying_the_same_story_is_recorded_as_a_copy_of_the_stored_article():
    roundup, aggregator = SourceFactory(name="Roundup"), SourceFactory(name="Aggregator")
    store_items(roundup, items("feed", "cross-source-news.rss"), FETCHED_AT)
    result = store_items(aggregator, items("feed", "cross-source-news-copy.rss"), FETCHED_AT)
    assert (result.seen, result.new, result.duplicates) == (1, 0, 1)
    copy = DuplicateItem.objects.get()
    assert (copy.source, copy.external_id, copy.article.url) == (aggregator, "agg-77", STORY)
    assert copy.url == "https://news.example/2025/11/acme-outage/amp/#top"
    again = store_items(aggregator, items("feed", "cross-source-news-copy.rss"), FETCHED_AT)
    assert (again.new, again.duplicates, DuplicateItem.objects.count()) == (0, 1, 1)


def test_two_items_of_one_batch_with_one_link_store_one_article_and_record_the_other():
    copy = items("feed", "cross-source-news-copy.rss")
    result = store_items(SourceFactory(), items("feed", "cross-source-news.rss") + copy, FETCHED_AT)
    assert (result.new, result.duplicates) == (2, 1)
    assert DuplicateItem.objects.get().article == Article.objects.get(url=STORY)


def test_the_poll_and_the_stored_articles_admin_page_show_the_copy(http_server, client):
    store_items(SourceFactory(), items("feed", "cross-source-news.rss"), FETCHED_AT)
    http_server.serve("/aggregator.rss", (CORPUS / "cross-source-news-copy.rss").read_bytes(),
                      content_type="application/rss+xml")
    aggregator = SourceFactory(name="Aggregator", url=http_server.url("/aggregator.rss"))
    poll_source(aggregator.pk)
    attempt = FetchAttempt.objects.get(source=aggregator)
    assert (attempt.items_seen, attempt.items_new, attempt.items_duplicate) == (1, 0, 1)
    client.force_login(User.objects.create_superuser("editor", "editor@example.invalid", "x"))
    page = client.get(f"/admin/articles/article/{Article.objects.get(url=STORY).pk}/change/").content.decode()
    assert "copies from other feeds" in page.lower() and "Aggregator" in page and "agg-77" in page
    assert "agg-77" in client.get("/admin/articles/duplicateitem/").content.decode()
