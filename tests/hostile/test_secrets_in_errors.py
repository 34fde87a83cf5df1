"""Issue 11, finding 6: a URL's credentials and query values never reach a stored or shown error.

Corpus: tests/fixtures/hostile/secret-urls.json. Every error that names a URL (redirect loops and
chains, refused or failed redirects, malformed URLs) is redacted where it is made, so admin, the
public /sources page and the logs all get the redacted text; /sources shows each source's URL redacted.
"""

import json
import logging

import pytest
from bs4 import BeautifulSoup

from articles.http.errors import FetchError
from articles.http.fetch import check_hop, fetch
from articles.models import FetchAttempt
from articles.polling import poll_source
from articles.redaction import redact_text, redact_url
from articles.scraping import scrape_article
from tests.factories import ArticleFactory, SourceFactory
from tests.httpserver import FIXTURES_DIR, redirect_to

CORPUS = json.loads((FIXTURES_DIR / "hostile" / "secret-urls.json").read_text())
SECRET, USERINFO, QUERY = CORPUS["secret"], CORPUS["userinfo"], CORPUS["query"]


def with_secrets(server, path: str) -> str:
    """A URL on the local server with the corpus's userinfo, and its query added to the path's."""
    separator = "&" if "?" in path else "?"
    return f"http://{USERINFO}@127.0.0.1:{server.port}{path}{separator}{QUERY}"


# (route builder, words the error must still say)
REDIRECT_CASES = {
    "loop": (lambda server: with_secrets(server, "/misbehave/redirect-loop"), "redirect loop: http://127.0.0.1:"),
    "too many": (lambda server: with_secrets(server, "/misbehave/redirect-chain?hops=8"), "too many redirects"),
    "refused scheme": (
        lambda server: redirect_to(server, f"ftp://{USERINFO}@example.com/feed?{QUERY}"),
        "refused redirect from 127.0.0.1:",
    ),
    "unresolvable target": (
        lambda server: redirect_to(server, f"http://{USERINFO}@outagehub-test.invalid/feed?{QUERY}"),
        "to http://outagehub-test.invalid/feed?… failed: could not resolve host",
    ),
}


@pytest.mark.parametrize(("url", "shown"), CORPUS["urls"])
def test_a_url_loses_its_userinfo_query_and_fragment_and_keeps_where_it_points(url, shown):
    assert redact_url(url) == shown
    assert redact_text(f"redirect loop: {url} → '{url}'; retry") == f"redirect loop: {shown} → '{shown}'; retry"


@pytest.mark.parametrize("case", REDIRECT_CASES)
def test_redirect_errors_name_urls_without_their_secrets(http_server, case):
    route, still_said = REDIRECT_CASES[case]
    with pytest.raises(FetchError) as caught:
        fetch(route(http_server), allow_private=True, max_redirects=5)
    assert SECRET not in caught.value.message and still_said in caught.value.message, caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("case", REDIRECT_CASES)
def test_a_failing_source_stores_and_reports_its_error_without_secrets(http_server, case):
    route, still_said = REDIRECT_CASES[case]
    source = SourceFactory(url=route(http_server))
    report = poll_source(source.pk)
    source.refresh_from_db()
    attempt = FetchAttempt.objects.get(source=source)
    assert report.outcome == "error" and still_said in source.last_error, source.last_error
    assert SECRET not in source.last_error + attempt.error + report.error


def test_a_refused_private_redirect_target_is_named_without_its_secrets():
    with pytest.raises(FetchError) as caught:
        check_hop(f"http://{USERINFO}@10.0.0.5/admin?{QUERY}", allow_private=False,
                  redirected_from=f"https://{USERINFO}@status.example.com/feed?{QUERY}")
    assert caught.value.message.startswith("refused redirect from status.example.com to http://10.0.0.5/admin?…: ")
    assert SECRET not in caught.value.message


@pytest.mark.parametrize(
    ("url", "what"),
    [
        (f"http://{USERINFO}@/feed?{QUERY}", "'http:///feed?…' has no host name"),
        (f"http://{USERINFO}@example.com:0/?{QUERY}", "'http://example.com:0/?…' has port 0"),
        (f"http://{USERINFO}@example.com:99999/?{QUERY}", "'http://example.com:99999/?…' is not a valid URL"),
    ],
)
def test_a_malformed_url_is_named_without_its_secrets(url, what):
    with pytest.raises(FetchError) as caught:
        fetch(url, allow_private=True)
    assert what in caught.value.message and SECRET not in caught.value.message


@pytest.mark.django_db
def test_a_failed_scrape_stores_and_logs_no_secret(caplog):
    article = ArticleFactory(url=f"http://{USERINFO}@/story?{QUERY}", scrape_state="pending")
    with caplog.at_level(logging.INFO, logger="articles.scraping"):
        assert scrape_article(article.pk) == "failed"
    article.refresh_from_db()
    assert "has no host name" in article.scrape_error
    assert SECRET not in article.scrape_error and SECRET not in caplog.text and "http:///story?…" in caplog.text


@pytest.mark.django_db
def test_the_sources_page_shows_each_url_redacted_and_no_secret_even_in_errors_stored_before(client):
    SourceFactory(name="Internal status", url=f"https://{USERINFO}@status.example.com/api/v2/summary.json?{QUERY}",
                  health="failing",
                  last_error=f"redirect loop: https://{USERINFO}@status.example.com/a?{QUERY} → https://x.example/b")
    page = client.get("/sources").content.decode()
    assert SECRET not in page and USERINFO not in page
    row = " ".join(BeautifulSoup(page, "html.parser").select_one("tbody tr").get_text(" ").split())
    assert "https://status.example.com/api/v2/summary.json?…" in row
    assert "redirect loop: https://status.example.com/a?… → https://x.example/b" in row
