"""/search: incidents and articles by words, vendor incident ids and pasted error messages, on the
index the pipeline and the database triggers keep (run on SQLite and on PostgreSQL)."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import Article
from incidents.models import Incident
from incidents.pipeline import process_article
from incidents.site.search import index, views
from incidents.site.search.query import parse_query
from tests.factories import (
    ArticleFactory,
    IncidentFactory,
    ItemFactory,
    MembershipFactory,
    ServiceFactory,
    SourceFactory,
    StatusItemFactory,
    SummaryFactory,
    VendorFactory,
    stored,
)

pytestmark = pytest.mark.django_db
BOUNCE = "550 5.7.708 Service unavailable. Access denied"
T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)


def indexed_article(**fields) -> Article:
    """A stored article as the pipeline leaves it: in the search index."""
    article = ArticleFactory(**fields)
    index.index_articles([article.pk])
    return article


def found(q: str) -> views.Results:
    return views.search(parse_query(q))


def incident_titles(results: views.Results) -> list[str]:
    return [hit.incident.title for hit in results.incidents]


def article_titles(results: views.Results) -> list[str]:
    return [hit.article.title for hit in results.articles]


def get_page(client, q: str):
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


# --- what it finds --------------------------------------------------------------------------------


def test_it_finds_incidents_by_words_in_any_form():
    IncidentFactory(title="Exchange Online outages in Europe")
    IncidentFactory(title="Slack messages delayed")
    assert incident_titles(found("exchange outage")) == ["Exchange Online outages in Europe"]


def test_it_finds_incidents_by_vendor_service_and_region():
    service = ServiceFactory(name="Actions", aliases=["GHA"])
    IncidentFactory(title="Workflows stuck", vendor=VendorFactory(name="GitHub"), services=[service],
                    regions=["Frankfurt"])
    IncidentFactory(title="Workflows stuck elsewhere")
    for words in ("github workflows", "actions", "gha", "frankfurt"):
        assert incident_titles(found(words)) == ["Workflows stuck"], words


def test_it_finds_incidents_by_their_summary():
    incident = IncidentFactory(title="Degraded performance")
    SummaryFactory(incident=incident, current=True,
                   why_this_matters=[{"text": "Payroll runs cannot start.", "citations": ["article:1"]}],
                   takeaways=[{"text": "Retry after noon.", "citations": [], "kind": "advice", "links": []}])
    assert incident_titles(found("payroll")) == ["Degraded performance"]
    assert incident_titles(found("retry noon")) == ["Degraded performance"]
    assert incident_titles(found("article")) == []  # citations are not text


def test_an_exact_vendor_incident_id_finds_its_incident_first():
    owner = IncidentFactory(title="Users cannot sign in", vendor_incident_ids=["MO502273"])
    SummaryFactory(incident=owner, current=True, why_this_matters=[{"text": "Sign-in fails for many users. " * 40}])
    IncidentFactory(title="MO502273 MO502273: the follow-up", started_at=T0 + timedelta(hours=2))
    IncidentFactory(title="Users cannot sign in again", vendor_incident_ids=["MO502274"])
    assert incident_titles(found("MO502273")) == ["Users cannot sign in", "MO502273 MO502273: the follow-up"]


def test_a_status_post_is_found_by_its_vendor_incident_id():
    indexed_article(title="Degraded performance", kind=Article.Kind.STATUS, vendor_incident_id="TaA75H7XA1DQyM2ReK2f")
    indexed_article(title="Degraded performance again", kind=Article.Kind.STATUS, vendor_incident_id="other1234")
    assert article_titles(found("TaA75H7XA1DQyM2ReK2f")) == ["Degraded performance"]


def test_a_pasted_status_page_link_finds_its_incident():
    IncidentFactory(title="Git operations degraded", vendor_incident_ids=["5jfkz8q1mlql"])
    assert incident_titles(found("https://www.githubstatus.com/incidents/5jfkz8q1mlql")) == ["Git operations degraded"]


def test_a_pasted_error_message_finds_the_incident_whose_sources_quote_it():
    quoting = IncidentFactory(title="Outlook mail bounces", error_messages=[BOUNCE])
    IncidentFactory(title="Service unavailable for some users")  # some of the words, not the message
    MembershipFactory(incident=quoting, article=indexed_article(
        title="Mail to Outlook bounces", body_text=f"Senders get '{BOUNCE}, banned sending IP' back."))
    indexed_article(title="Unrelated", body_text="Access to the service was denied to nobody.")
    results = found(BOUNCE)
    assert incident_titles(results) == ["Outlook mail bounces"]
    assert article_titles(results) == ["Mail to Outlook bounces"]
    assert results.relaxed is None


def test_an_error_pasted_with_words_of_its_own_is_found_by_its_codes(client):
    IncidentFactory(title="Outlook mail bounces", error_messages=[BOUNCE])
    results = found(f"Remote Server returned '{BOUNCE}, traffic not accepted from this IP'")
    assert incident_titles(results) == ["Outlook mail bounces"]
    assert results.relaxed.terms == ("550", "5.7.708")
    page = get_page(client, f"Remote Server returned '{BOUNCE}, traffic not accepted'")
    assert "Nothing has all of your words" in page


def test_articles_show_their_publisher_link_and_public_incident(client):
    incident = IncidentFactory(title="Cloudflare DNS outage", slug="cloudflare-dns")
    MembershipFactory(incident=incident, article=indexed_article(
        title="Cloudflare resolver fails", source=SourceFactory(name="The Register"),
        url="https://news.example/cloudflare-resolver", summary_text="The 1.1.1.1 resolver stopped answering."))
    page = get_page(client, "resolver")
    assert "The Register" in page
    assert 'href="https://news.example/cloudflare-resolver"' in page
    assert f'href="{reverse("incident", args=["cloudflare-dns"])}"' in page
    assert "<mark>resolver</mark>" in page


def test_an_article_link_that_is_not_a_web_address_is_not_linked(client):
    indexed_article(title="Crafted feed entry", url="javascript:alert(1)")
    page = get_page(client, "crafted")
    assert "Crafted feed entry" in page
    assert "javascript:" not in page


def test_hidden_incidents_are_never_shown(client):
    hidden = IncidentFactory(title="Zebra stampede outage", slug="zebra", hidden=True)
    MembershipFactory(incident=hidden, article=indexed_article(title="Zebra stampede takes down a datacentre"))
    results = found("zebra")
    assert incident_titles(results) == []
    assert results.incident_matches == 0
    assert article_titles(results) == ["Zebra stampede takes down a datacentre"]
    assert results.articles[0].article.incident_slug is None
    page = get_page(client, "zebra")
    assert "Zebra stampede outage" not in page
    assert reverse("incident", args=["zebra"]) not in page


def test_a_title_match_ranks_before_a_body_only_match():
    indexed_article(title="Kubernetes control plane down", body_text="The cluster API stopped answering. " * 60)
    indexed_article(title="Cloud roundup", body_text="kubernetes " * 10)  # newer, shorter, says it more often
    assert article_titles(found("kubernetes")) == ["Kubernetes control plane down", "Cloud roundup"]
    IncidentFactory(title="Kubernetes API errors")
    summarised = IncidentFactory(title="Cluster trouble")
    SummaryFactory(incident=summarised, current=True,
                   why_this_matters=[{"text": "Kubernetes clusters stopped. " * 5, "citations": []}])
    assert incident_titles(found("kubernetes")) == ["Kubernetes API errors", "Cluster trouble"]


def test_newer_matches_rank_first_when_nothing_else_differs():
    indexed_article(title="Fastly outage one")
    indexed_article(title="Fastly outage two")
    assert article_titles(found("fastly")) == ["Fastly outage two", "Fastly outage one"]


def test_only_the_newest_matches_are_ranked(monkeypatch):
    monkeypatch.setattr(views, "CANDIDATES", 3)
    monkeypatch.setattr(views, "SHOWN", 2)
    indexed_article(title="Heroku dynos down")  # the best match, but older than the bound
    for n in range(4):
        indexed_article(title=f"Platform news {n}", body_text="heroku")
    results = found("heroku")
    assert article_titles(results) == ["Platform news 3", "Platform news 2"]
    assert results.article_matches == 3
    assert results.more_articles


# --- the index stays current ----------------------------------------------------------------------


def test_articles_are_found_once_the_pipeline_has_processed_them():
    status_page = SourceFactory(kind="statuspage", vendor_name="Microsoft")
    post = stored(status_page, StatusItemFactory(
        title="Exchange Online: some users can't send mail", vendor_incident_id="EX1234567",
        content_html=f"<p>Users see the error {BOUNCE} when they send mail.</p>"))
    press = stored(SourceFactory(), ItemFactory(title="Outlook mail bounce wave hits businesses"))
    assert article_titles(found("bounce wave")) == []  # stored, not processed yet
    assert process_article(post.pk).action == "opened"
    process_article(press.pk)
    results = found(BOUNCE)
    assert incident_titles(results) == ["Exchange Online: some users can't send mail"]
    assert article_titles(results) == ["Exchange Online: some users can't send mail"]
    assert incident_titles(found("EX1234567")) == ["Exchange Online: some users can't send mail"]
    assert article_titles(found("bounce wave")) == [press.title]



def test_an_article_edit_or_deletion_updates_the_index():
    article = indexed_article(title="Azure Front Door errors")
    Article.objects.filter(pk=article.pk).update(title="Azure CDN errors", body_text="front end only")
    assert article_titles(found("door")) == []
    assert article_titles(found("cdn")) == ["Azure CDN errors"]
    article.delete()
    assert article_titles(found("cdn")) == []


def test_an_article_edited_or_deleted_before_it_is_indexed_leaves_the_index_whole():
    # SQLite's index is contentless: removing a row that was never indexed would corrupt it, and the
    # ranked search below would fail with "database disk image is malformed".
    edited, deleted = ArticleFactory(title="Nomad scheduler stuck"), ArticleFactory(title="Nomad agents lost")
    Article.objects.filter(pk=edited.pk).update(title="Nomad scheduler recovered")
    deleted_pk = deleted.pk
    deleted.delete()
    assert article_titles(found("nomad")) == []
    index.index_articles([edited.pk, edited.pk, deleted_pk])
    index.index_articles([edited.pk])  # again: no second row
    assert article_titles(found("nomad")) == ["Nomad scheduler recovered"]
    assert article_titles(found("stuck")) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_article_search")
        assert cursor.fetchone()[0] == 1


def test_a_body_longer_than_the_indexed_part_can_be_edited_and_deleted():
    # The pipeline and the triggers must index the same part of a body: SQLite's triggers remove a
    # row with the values they would have indexed, and other values corrupt the index.
    long_body = "pods " * (index.BODY_CHARS // 5) + "crashloop"  # the last word falls outside
    article = indexed_article(title="Cluster trouble", body_text=long_body)
    Article.objects.filter(pk=article.pk).update(title="Cluster recovered", body_text=long_body + " again")
    assert article_titles(found("recovered")) == ["Cluster recovered"]
    assert article_titles(found("crashloop")) == []
    article.delete()
    assert article_titles(found("pods")) == []


def test_incident_changes_and_catalogue_renames_update_the_index():
    vendor = VendorFactory(name="Acme Cloud")
    service = ServiceFactory(vendor=vendor, name="Widgets")
    incident = IncidentFactory(title="Elevated latency", vendor=vendor)
    assert incident_titles(found("widgets")) == []
    incident.services.add(service)
    assert incident_titles(found("widgets")) == ["Elevated latency"]
    service.name = "Gadgets"
    service.save()
    assert incident_titles(found("gadgets")) == ["Elevated latency"]
    vendor.name = "Roadrunner Hosting"
    vendor.save()
    assert incident_titles(found("roadrunner")) == ["Elevated latency"]
    incident.services.remove(service)
    assert incident_titles(found("gadgets")) == []
    Incident.objects.filter(pk=incident.pk).update(title="Elevated latency resolved", error_messages=["HTTP 503"])
    assert incident_titles(found("503 resolved")) == ["Elevated latency resolved"]
    summary = SummaryFactory(incident=incident, current=True, why_this_matters=[{"text": "Checkout fails."}])
    summary.why_this_matters = [{"text": "Invoices fail."}]
    summary.save()
    assert incident_titles(found("invoices")) == ["Elevated latency resolved"]
    assert incident_titles(found("checkout")) == []
    incident.delete()
    assert incident_titles(found("latency")) == []



@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps the index with triggers of its own")
def test_the_incident_refresh_keeps_its_plans_between_calls():
    # A function written in SQL is planned again at every call, which cost most of a refresh.
    with connection.cursor() as cursor:
        cursor.execute("SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                       "WHERE p.proname = 'incidents_incident_search_refresh'")
        assert cursor.fetchall() == [("plpgsql",)]

# --- bad input ------------------------------------------------------------------------------------

BAD_QUERIES = [
    "'; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    '"unbalanced quote',
    "NEAR(outage teams, 2)",
    "outage AND OR NOT",
    "((( ))) {} [] ^ * : - +",
    "title:outage body:*",
    "Störung 東京 café ✓",
    "\x00\x01 nul bytes",
    "the",
    "",
    "   ",
    "x" * 2000,
    "outage " * 300,
]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_input_gives_a_normal_page_and_never_reflects_html(client, q):
    indexed_article(title="Teams outage", body_text="outage near teams")
    page = get_page(client, q)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "\x00" not in page
    assert html.escape(parse_query(q).text, quote=True) in page


def test_a_long_query_says_it_was_cut(client):
    page = get_page(client, "outage " * 300)
    assert "Your search was cut to its first" in page


def test_an_empty_query_explains_what_search_does(client):
    page = get_page(client, "")
    assert "Paste the error you are seeing" in page


def test_stop_words_alone_ask_for_a_specific_word(client):
    assert "add a more specific word" in get_page(client, "the and")


# --- cost -----------------------------------------------------------------------------------------


def fill(size: int) -> None:
    """`size` incidents and twice as many articles, every one matching "outage"."""
    for n in range(size):
        incident = IncidentFactory(title=f"Outage {n}", error_messages=[f"Error {1000 + n}"])
        SummaryFactory(incident=incident, current=True, why_this_matters=[{"text": "An outage hits users."}])
        for _ in range(2):
            MembershipFactory(incident=incident, article=indexed_article(title=f"Outage report {n}"))


@pytest.mark.parametrize("size", [3, 30])
def test_a_search_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, size):
    fill(size)
    with django_assert_max_num_queries(4):  # ranked ids and rows, for incidents and for articles
        assert "Outage report" in get_page(client, "outage")
    with django_assert_max_num_queries(6):  # nothing has every word: the looser search runs too
        assert "Nothing has all of your words" in get_page(client, "outage zzzz")
