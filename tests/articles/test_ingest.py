from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.items import VendorStatus
from articles.models import Article, StatusUpdate
from tests.factories import ArticleFactory, ItemFactory, ItemUpdateFactory, SourceFactory, StatusItemFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FETCHED_AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_it_stores_new_items_once_however_often_they_are_polled():
    source = SourceFactory()
    items = ItemFactory.build_batch(3)
    first = store_items(source, items, FETCHED_AT)
    second = store_items(source, items, FETCHED_AT + timedelta(minutes=5))
    assert (first.new, first.updated) == (3, 0)
    assert (second.new, second.updated, second.seen) == (0, 0, 3)
    assert Article.objects.count() == 3


def test_a_changed_item_updates_its_row_instead_of_adding_one():
    source = SourceFactory()
    item = ItemFactory(title="Cloudflare outage")
    store_items(source, [item], FETCHED_AT)
    result = store_items(source, [replace(item, title="Cloudflare outage: fixed")], FETCHED_AT + timedelta(hours=1))
    article = Article.objects.get()
    assert (result.new, result.updated) == (0, 1)
    assert article.title == "Cloudflare outage: fixed"
    assert article.first_seen_at == FETCHED_AT and article.last_changed_at == FETCHED_AT + timedelta(hours=1)


def test_the_same_story_from_a_second_feed_is_not_stored_again():
    ars, mirror = SourceFactory(), SourceFactory()
    store_items(ars, [ItemFactory(url="https://arstechnica.com/x/outage/?utm_source=rss")], FETCHED_AT)
    result = store_items(mirror, [ItemFactory(url="https://arstechnica.com/x/outage/amp/#top")], FETCHED_AT)
    assert result.new == 0
    assert Article.objects.get().source == ars


def test_items_whose_link_is_a_dashboard_are_deduplicated_by_id_only():
    aws = SourceFactory(kind="aws_rss")
    items = [
        StatusItemFactory(url="https://status.aws.amazon.com/", url_identifies=False),
        StatusItemFactory(url="https://status.aws.amazon.com/", url_identifies=False),
    ]
    assert store_items(aws, items, FETCHED_AT).new == 2
    assert set(Article.objects.values_list("dedupe_url", flat=True)) == {None}


def test_duplicate_ids_in_one_payload_make_one_article():
    source = SourceFactory()
    result = store_items(source, [ItemFactory(external_id="dup"), ItemFactory(external_id="dup")], FETCHED_AT)
    assert result.new == 1 and Article.objects.count() == 1


def test_html_is_sanitised_before_it_is_stored_and_plain_text_kept_beside_it():
    item = ItemFactory(
        title="Outage",
        summary_html='<p onclick="steal()">Users see <b>errors</b><script>alert(1)</script></p>',
        content_html='<p>Body <a href="javascript:alert(1)">link</a><img src=x onerror=alert(1)></p>',
    )
    store_items(SourceFactory(), [item], FETCHED_AT)
    article = Article.objects.get()
    assert article.summary_html == "<p>Users see <b>errors</b></p>"
    assert "javascript" not in article.body_html and "onerror" not in article.body_html
    assert article.summary_text == "Users see errors"
    assert article.body_text == "Body link"


def test_an_item_without_a_date_gets_the_fetch_time_and_a_flag():
    store_items(SourceFactory(), [ItemFactory(published_at=None)], FETCHED_AT)
    article = Article.objects.get()
    assert article.published_at == FETCHED_AT and article.published_is_fetch_time


def test_a_date_in_the_future_is_not_trusted():
    store_items(SourceFactory(), [ItemFactory(published_at=FETCHED_AT + timedelta(days=300))], FETCHED_AT)
    article = Article.objects.get()
    assert article.published_at == FETCHED_AT and article.published_is_fetch_time


def test_a_missing_title_falls_back_to_the_summary():
    store_items(SourceFactory(), [ItemFactory(title="", summary_html="<p>Azure Front Door errors in Europe</p>")],
                FETCHED_AT)
    assert Article.objects.get().title == "Azure Front Door errors in Europe"


def test_a_teaser_is_marked_for_scraping_and_full_content_is_not():
    source = SourceFactory()
    result = store_items(source, [ItemFactory(external_id="teaser", content_html=""), ItemFactory(external_id="full")],
                         FETCHED_AT, scrape_teasers=True)
    states = dict(Article.objects.values_list("external_id", "scrape_state"))
    assert states == {"teaser": "pending", "full": "not_needed"}
    assert result.to_scrape == [Article.objects.get(external_id="teaser").pk]


def test_a_scraped_body_survives_the_next_poll_of_the_teaser():
    source = SourceFactory()
    teaser = ItemFactory(content_html="")
    store_items(source, [teaser], FETCHED_AT)
    Article.objects.update(scrape_state="done", body_html="<p>Scraped text</p>", body_text="Scraped text")
    store_items(source, [replace(teaser, title="New headline")], FETCHED_AT + timedelta(hours=1))
    article = Article.objects.get()
    assert (article.title, article.body_text, article.scrape_state) == ("New headline", "Scraped text", "done")


def test_status_updates_are_kept_and_new_ones_added_on_the_next_poll():
    source = SourceFactory(kind="statuspage", vendor_name="GitHub")
    investigating = ItemUpdateFactory(posted_at=datetime(2025, 11, 18, 11, 48, tzinfo=UTC))
    resolved = ItemUpdateFactory(posted_at=datetime(2025, 11, 18, 14, 30, tzinfo=UTC), status=VendorStatus.RESOLVED,
                                 text="This incident has been resolved.")
    incident = StatusItemFactory(vendor_incident_id="abc123", updates=(investigating,))
    store_items(source, [incident], FETCHED_AT)
    store_items(source, [replace(incident, status=VendorStatus.RESOLVED, updates=(investigating, resolved))],
                FETCHED_AT + timedelta(hours=3))
    article = Article.objects.get()
    assert (article.vendor_status, article.vendor_incident_id, article.vendor_name) == ("resolved", "abc123", "GitHub")
    assert list(article.updates.values_list("status", flat=True)) == ["investigating", "resolved"]
    assert StatusUpdate.objects.count() == 2


def test_an_update_keeps_its_html_only_when_it_says_more_than_its_text():
    plain = ItemUpdateFactory(text="", html="<p>We are investigating.</p><p>More soon &amp; often.</p>")
    linked = ItemUpdateFactory(posted_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC), text="See the post-mortem.",
                               html='<p>See <a href="https://status.example/pm" onclick="x()">the post-mortem</a>.</p>')
    store_items(SourceFactory(kind="statuspage"), [StatusItemFactory(updates=(plain, linked))], FETCHED_AT)
    first, second = StatusUpdate.objects.order_by("posted_at")
    assert (first.text, first.html) == ("We are investigating.\nMore soon & often.", "")
    assert second.text == "See the post-mortem."
    assert 'href="https://status.example/pm"' in second.html and "onclick" not in second.html


def test_storing_a_batch_that_holds_nothing_new_costs_one_query(django_assert_num_queries):
    source = SourceFactory()
    items = ItemFactory.build_batch(40)
    store_items(source, items, FETCHED_AT)
    with django_assert_num_queries(1):
        store_items(source, items, FETCHED_AT)


def test_a_batch_larger_than_one_lookup_is_looked_up_in_chunks(monkeypatch):
    from articles.ingest import _taken_urls

    monkeypatch.setattr("articles.ingest.LOOKUP_CHUNK", 2)  # SQLite's real bound is 32,766 parameters
    source = SourceFactory()
    items = ItemFactory.build_batch(5)
    assert store_items(source, items, FETCHED_AT).new == 5
    again = store_items(source, [*items[:4], replace(items[4], title="Changed")], FETCHED_AT + timedelta(hours=1))
    assert (again.new, again.updated, again.seen) == (0, 1, 5)  # the fifth was found in the third lookup
    urls = [f"https://news.example/free-{n}" for n in range(4)] + [items[4].url]
    assert _taken_urls(urls) == {items[4].url: Article.objects.get(external_id=items[4].external_id).pk}
    assert Article.objects.count() == 5


def test_a_row_stored_by_another_worker_meanwhile_is_not_duplicated():
    source = SourceFactory()
    item = ItemFactory(url="https://news.example/race")
    ArticleFactory(url="https://news.example/race")  # the other worker's insert, committed a moment ago
    assert store_items(source, [item], FETCHED_AT).new == 0
    assert Article.objects.count() == 1


def _parse(name: str):
    return parse_payload("feed", (FIXTURES / "technews" / name).read_bytes())


def test_two_real_snapshots_of_one_feed_store_each_story_once_and_update_what_changed():
    source = SourceFactory(name="Ars Technica")
    first = store_items(source, _parse("arstechnica-feed-2025-11-19-cloudflare-outage.rss"), FETCHED_AT)
    second = store_items(source, _parse("arstechnica-feed-2025-11-20-cloudflare-outage-rca.rss"),
                         FETCHED_AT + timedelta(days=1))
    titles = list(Article.objects.values_list("title", flat=True))
    assert first.new == 20
    assert len(titles) == len(set(titles)) == first.new + second.new
    assert second.new > 0 and second.new < 20  # the next day's feed shares most stories with the first
    assert "Widespread Cloudflare outage blamed on mysterious traffic spike" in titles
    assert "Massive Cloudflare outage was triggered by file that suddenly doubled in size" in titles


def test_content_that_ends_in_read_full_article_is_a_teaser_too():
    ars = _parse("arstechnica-feed-2025-10-25-aws-outage.rss")
    cloudflare_blog = parse_payload("feed", (FIXTURES / "technews" / "cloudflare-blog-2021-10-15.rss").read_bytes())
    store_items(SourceFactory(), ars + cloudflare_blog, FETCHED_AT, scrape_teasers=True)
    states = set(Article.objects.filter(url__contains="arstechnica").values_list("scrape_state", flat=True))
    assert states == {"pending"}
    assert Article.objects.get(url__contains="blog.cloudflare.com").scrape_state == "not_needed"


def test_when_a_batch_insert_collides_with_a_row_another_worker_just_stored_the_rest_still_go_in():
    from articles.ingest import _insert

    source = SourceFactory()
    ArticleFactory(url="https://news.example/raced", dedupe_url="https://news.example/raced")
    rows = [
        (ArticleFactory.build(source=source, dedupe_url=url, url=url), None)
        for url in ("https://news.example/a", "https://news.example/raced", "https://news.example/b")
    ]
    inserted = _insert(rows)
    assert [article.dedupe_url for article, _ in inserted] == ["https://news.example/a", "https://news.example/b"]
    assert Article.objects.count() == 3
