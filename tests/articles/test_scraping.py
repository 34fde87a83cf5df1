import pytest

from articles.models import Article
from articles.scraping import scrape_article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ARTICLE_PAGE = (
    "<html><head><link rel='canonical' href='/2025/11/aws-outage'><script>alert(1)</script></head><body><article>"
    + "<p onclick='x()'>AWS said DynamoDB DNS resolution failed in us-east-1, and many services went down.</p>" * 4
    + "<p><a href='javascript:alert(1)'>a link that is long enough to count as a paragraph of text</a></p>"
    + "</article></body></html>"
)


def test_it_keeps_the_sanitised_main_text_and_adopts_rel_canonical(public_http_server):
    public_http_server.serve("/aws", ARTICLE_PAGE, content_type="text/html")
    article = ArticleFactory(url=public_http_server.url("/aws"), scrape_state="pending")
    assert scrape_article(article.pk) == "done"
    article.refresh_from_db()
    assert "DynamoDB DNS resolution failed" in article.body_text
    assert "onclick" not in article.body_html and "javascript" not in article.body_html
    assert article.canonical_url == article.dedupe_url == public_http_server.url("/2025/11/aws-outage")


def test_a_canonical_url_another_article_already_has_is_not_taken(public_http_server):
    public_http_server.serve("/aws", ARTICLE_PAGE, content_type="text/html")
    ArticleFactory(url=public_http_server.url("/2025/11/aws-outage"))
    article = ArticleFactory(url=public_http_server.url("/aws"), scrape_state="pending")
    scrape_article(article.pk)
    article.refresh_from_db()
    assert article.dedupe_url == public_http_server.url("/aws") and article.scrape_state == "done"


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("/misbehave/status?code=404", "404"),
        ("/paywall", "no readable text"),
        ("/misbehave/huge-declared?mib=64", "more than the 15 MiB limit"),
    ],
)
def test_a_page_that_cannot_be_read_is_recorded_as_failed_with_the_reason(public_http_server, route, reason):
    public_http_server.serve("/paywall", "<html><body><p>Subscribe to read.</p></body></html>",
                             content_type="text/html")
    article = ArticleFactory(url=public_http_server.url(route), scrape_state="pending")
    assert scrape_article(article.pk) == "failed"
    article.refresh_from_db()
    assert reason in article.scrape_error and article.scrape_state == "failed"


def test_only_pending_articles_are_scraped():
    article = ArticleFactory(scrape_state="not_needed")
    assert scrape_article(article.pk) == "skipped"
    assert Article.objects.get().scrape_state == "not_needed"
