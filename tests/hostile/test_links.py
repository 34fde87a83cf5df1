"""Issue 11, finding 1: a feed item linking to javascript: was stored and shown in admin as a link."""

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from articles import links
from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article
from articles.readability import extract_article
from incidents.site import timeline
from tests.factories import ArticleFactory, SourceFactory

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
FETCHED_AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
REAL_LINK = "https://news.example/2025/11/outage"


def hostile_items():
    return parse_payload("feed", (CORPUS / "javascript-link.rss").read_bytes())


def test_the_site_and_admin_share_one_link_checker():
    assert timeline.web_link is links.web_link


@pytest.mark.parametrize("item", hostile_items(), ids=lambda item: item.external_id)
def test_only_the_real_link_of_the_corpus_is_a_web_link(item):
    assert links.web_link(item.url) == (REAL_LINK if item.url == REAL_LINK else "")


@pytest.mark.parametrize(("url", "expected"), [
    (" \x01https://news.example/a\n", "https://news.example/a"),  # what a browser ignores, dropped
    ("https://news.ex\tample/a", "https://news.example/a"),
    ("https://news.example/a\x7fb", ""),
    ("https:news.example", ""),  # no host
])
def test_a_link_is_read_as_a_browser_reads_it(url, expected):
    assert links.web_link(url) == expected


@pytest.mark.django_db
def test_a_feed_item_linking_to_script_is_stored_without_a_link():
    store_items(SourceFactory(), hostile_items(), FETCHED_AT)
    stored = {article.external_id: article for article in Article.objects.all()}
    assert len(stored) == 9  # every item is kept: only its link goes
    real = stored.pop("real")
    assert (real.url, real.canonical_url, real.dedupe_url) == (REAL_LINK, REAL_LINK, REAL_LINK)
    assert {(article.url, article.canonical_url, article.dedupe_url) for article in stored.values()} == {("", "", None)}


@pytest.mark.django_db
def test_the_admin_article_list_never_makes_a_stored_script_url_clickable(client):
    # Rows written before ingest checked links: admin must not trust what is stored.
    for item in hostile_items():
        ArticleFactory(url=item.url, canonical_url=item.url, dedupe_url=None, title=item.title)
    client.force_login(User.objects.create_superuser("editor", "editor@example.invalid", "x"))
    page = client.get("/admin/articles/article/").content.decode()
    hrefs = [re.sub(r"[\x00-\x20]", "", unescape(href)).lower() for href in re.findall(r'href="([^"]*)"', page)]
    assert REAL_LINK in hrefs
    assert [href for href in hrefs if href.startswith(("javascript:", "vbscript:", "data:", "//"))] == []


def test_a_page_whose_rel_canonical_is_script_gives_no_canonical_link():
    page = extract_article((CORPUS / "javascript-canonical.html").read_bytes(), "https://news.example/2025/11/outage")
    assert page.canonical_url == ""
    assert page.text_length > 100  # the page itself is still read
