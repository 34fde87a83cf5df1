"""The API's shapes from plain values (no database): serialise.py is pure."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from articles.items import ComponentState
from incidents.api import serialise
from incidents.site.board import BoardRow, LiveIncident, StatusSource
from incidents.site.views import Citation
from incidents.summaries.brief import Statement

LINKS = serialise.Links(incident=lambda s: f"https://o.example/api/v1/incidents/{s}",
                        incident_page=lambda s: f"https://o.example/incidents/{s}/",
                        vendor=lambda s: f"https://o.example/api/v1/vendors/{s}",
                        vendor_page=lambda s: f"https://o.example/vendors/{s}/",
                        service_page=lambda s: f"https://o.example/services/{s}/")
AT = datetime(2026, 11, 18, 10, 30, tzinfo=timezone(timedelta(hours=1)))


def test_times_are_utc_with_a_z_and_absent_ones_null():
    assert serialise.moment(AT) == "2026-11-18T09:30:00Z"
    assert serialise.moment(None) is None


def test_a_statement_keeps_only_citations_it_can_resolve_and_names_its_incidents():
    said = Statement("It was fixed.", ("update:3", "article:404"), kind="resolution",
                     links=(("Earlier outage", "2026-10-01-earlier"),))
    citations = {"update:3": Citation("update:3", "Microsoft 365 status", "", "source-update-3")}
    assert serialise.statement(said, citations, LINKS) == {
        "text": "It was fixed.", "kind": "resolution",
        "citations": [{"ref": "update:3", "source": "Microsoft 365 status", "url": None}],
        "incidents": [{"title": "Earlier outage", "url": "https://o.example/api/v1/incidents/2026-10-01-earlier"}],
    }
    assert set(serialise.statement(Statement("Plain.", ()), {}, LINKS)) == {"text", "citations"}


def test_a_summary_says_which_writer_without_the_model_name():
    summary = SimpleNamespace(version=3, created_at=AT, backend="llm:qwen2.5-7b")
    item = serialise.summary_item(summary, [], [], {}, LINKS)
    assert item == {"version": 3, "written_at": "2026-11-18T09:30:00Z", "written_by": "llm", "why_this_matters": [],
                    "takeaways": []}
    assert serialise.summary_item(None, [], [], {}, LINKS) is None


def test_a_source_without_a_web_link_has_a_null_url():
    article = SimpleNamespace(pk=7, kind="news", source=SimpleNamespace(name="The Register"), title="Down",
                              url="javascript:alert(1)", published_at=AT)
    assert serialise.source_item(article) == {"id": 7, "kind": "news", "outlet": "The Register", "title": "Down",
                                              "url": None, "published_at": "2026-11-18T09:30:00Z", "ref": "article:7"}


def test_a_board_row_with_its_sources_and_live_incidents():
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    row = BoardRow(name="Acme", slug="acme", own_state=ComponentState.OPERATIONAL, own_words="no open incident",
                   sources=[StatusSource("Acme status", "Acme", "ok", now, "", "", "", None)],
                   incidents=[LiveIncident("acme-down", "Acme down", "Acme", 4, False, 3, now)], press_outlets=3)
    item = serialise.board_item(row, LINKS)
    assert item["state"] == "operational" and item["disagree"] is True and item["press_reports_outage"] is True
    assert item["vendor"] == {"slug": "acme", "url": "https://o.example/api/v1/vendors/acme",
                              "html_url": "https://o.example/vendors/acme/"}
    assert item["sources"] == [{"name": "Acme status", "health": "ok", "failing": False,
                                "checked_at": "2026-11-18T09:00:00Z", "page_state": None}]
    assert item["incidents"][0]["severity"] == "critical" and item["incidents"][0]["outlets"] == 3
    unknown = BoardRow(name="Fortnite", slug="", own_state=ComponentState.UNKNOWN, own_words="no status page")
    assert serialise.board_item(unknown, LINKS)["vendor"] is None
