"""Fetch the page of a news item whose feed gave only a teaser, and keep its main text."""

import logging

from django.db import IntegrityError, transaction

from .canonical import canonical_url
from .http import client as http_client
from .http.errors import FetchError
from .models import Article
from .readability import extract_article
from .redaction import redact_text, redact_url
from .sanitize import html_to_text, sanitize_html

log = logging.getLogger(__name__)

# Less text than this in the page is not an article (a paywall, a consent wall, a video page).
MIN_ARTICLE_CHARS = 200


def scrape_article(article_id: int) -> str:
    """Returns the new scrape state. Failures are recorded on the article, never raised."""
    article = Article.objects.select_related("source").filter(pk=article_id).first()
    if article is None or article.scrape_state != Article.ScrapeState.PENDING:
        return "skipped"
    try:
        # Never a private address, whatever the source allows: the link comes from the item, so anyone
        # who can publish an item could otherwise make an internal page's text searchable on the site.
        result = http_client.fetch(
            article.url, allow_private=False, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
        )
        page = extract_article(result.body, result.final_url)
    except FetchError as exc:
        return _fail(article, f"could not fetch the article page: {exc.message}")
    except Exception as exc:  # noqa: BLE001 - a hostile page must not take the worker down
        return _fail(article, f"could not read the article page ({type(exc).__name__}: {exc})")
    if page.text_length < MIN_ARTICLE_CHARS:
        return _fail(article, f"the article page has no readable text ({page.text_length} characters found)")

    article.body_html = sanitize_html(page.html)
    article.body_text = html_to_text(article.body_html, sanitized=True)
    article.scrape_state = Article.ScrapeState.DONE
    article.scrape_error = ""
    fields = ["body_html", "body_text", "scrape_state", "scrape_error"]
    if page.canonical_url:
        preferred = canonical_url(page.canonical_url)
        # rel=canonical names the page the publisher considers the original: prefer it, unless
        # another stored article already has it (then the two are one story: ingest skipped it).
        if preferred != article.dedupe_url and not Article.objects.filter(dedupe_url=preferred).exists():
            article.canonical_url = preferred
            if article.dedupe_url is not None:
                article.dedupe_url = preferred
            fields += ["canonical_url", "dedupe_url"]
    try:
        with transaction.atomic():
            article.save(update_fields=fields)
    except IntegrityError:
        # Another worker stored the canonical URL in the meantime: keep the feed's link.
        article.save(update_fields=fields[:4])
    return article.scrape_state


def _fail(article: Article, message: str) -> str:
    message = redact_text(message)  # an exception's text may name a URL with its credentials
    log.info("scraping article %s (%s) failed: %s", article.pk, redact_url(article.url), message)
    Article.objects.filter(pk=article.pk).update(scrape_state=Article.ScrapeState.FAILED, scrape_error=message)
    return Article.ScrapeState.FAILED
