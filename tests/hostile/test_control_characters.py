"""Issue 11, finding 2 (ingest side): a character XML 1.0 forbids, stored in a title, broke the site's feeds.
Ingest stores none of them, in any text field."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.adapters import parse_payload
from articles.ingest import store_items
from articles.models import Article, StatusUpdate
from articles.sanitize import html_to_text, sanitize_html, xml_text
from tests.factories import SourceFactory

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
FETCHED_AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

pytestmark = pytest.mark.django_db


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [string for element in value for string in strings_in(element)]
    return []


def forbidden_characters_stored() -> list[tuple[str, str]]:
    rows = [*Article.objects.values(), *StatusUpdate.objects.values()]
    return [(name, text) for row in rows for name, value in row.items() for text in strings_in(value)
            if NOT_XML.search(text)]


def test_a_news_item_full_of_control_characters_is_stored_without_them():
    items = parse_payload("feed", (CORPUS / "control-char-title.rss").read_bytes())
    assert store_items(SourceFactory(), items, FETCHED_AT).new == 1
    assert forbidden_characters_stored() == []
    article = Article.objects.get()
    assert article.title == "Mail delays in Exchange Online"
    assert article.external_id == "control-guid"
    assert article.author == "ops@news.example (Jane Doe)"
    assert article.summary_text == "Users see errors when sending mail."


def test_a_status_incident_full_of_control_characters_is_stored_without_them():
    items = parse_payload("statuspage", (CORPUS / "control-char-title.json").read_bytes())
    source = SourceFactory(kind="statuspage", vendor_name="Hostile")
    assert store_items(source, items, FETCHED_AT).new == 1
    assert forbidden_characters_stored() == []
    article = Article.objects.get()
    assert (article.title, article.impact, article.vendor_incident_id) == ("Elevated API errors in EU", "major",
                                                                           "ctlinc")
    assert article.components == ["API gateway", "Dashboard"]
    assert list(article.updates.values_list("key", "text")) == [
        ("upd1", "We are investigating errors."), ("upd2", "Cause found: a bad config push.")]
    assert "<b>config" in article.updates.get(key="upd2").html
    again = store_items(source, items, FETCHED_AT)  # the cleaned id finds the same row
    assert (again.new, again.updated) == (0, 0)


def test_character_references_the_sanitiser_decodes_are_dropped_too():
    html = "<p>a&#1;b&#xFFFE;c&#x1F;d</p>"
    assert sanitize_html(html) == "<p>abcd</p>"
    assert html_to_text(html) == "abcd"
    assert xml_text("tab\tnewline\nreturn\r kept") == "tab\tnewline\nreturn\r kept"
