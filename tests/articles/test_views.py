"""The sources page: what a reader needs to trust the coverage."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def rows(client) -> list[dict[str, str]]:
    response = client.get("/sources")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("table thead th")]
    return [dict(zip(headers, (" ".join(cell.get_text(" ").split()) for cell in tr.select("th, td")), strict=True))
            for tr in soup.select("table tbody tr")]


def test_each_source_shows_its_health_last_success_failures_and_last_error_in_words(client):
    SourceFactory(name="GitHub status", kind="statuspage", vendor_name="GitHub", health="ok",
                  url="https://www.githubstatus.com/api/v2/summary.json",
                  last_success_at=datetime(2026, 11, 27, 9, 15, tzinfo=UTC))
    SourceFactory(name="The Register", health="failing", consecutive_failures=3,
                  last_error="The server answered HTTP 503 (service unavailable); we will try again.",
                  last_error_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    failing, healthy = rows(client)
    assert failing["Source"].startswith("The Register")
    assert failing["Health"] == "Failing" and failing["Failures in a row"] == "3" and failing["Last success"] == "never"
    assert failing["Last error"].startswith("The server answered HTTP 503 (service unavailable)")
    assert "27 Nov 2026 09:00 UTC" in failing["Last error"]
    assert healthy["Source"] == (
        "GitHub status GitHub status page · statuspage https://www.githubstatus.com/api/v2/summary.json")
    assert healthy["Health"] == "Healthy" and healthy["Last success"] == "27 Nov 2026 09:15 UTC"
    assert healthy["Last error"] == "none"


def test_a_time_is_never_wrapped_in_brackets_since_the_readers_script_adds_its_own(client):
    """localtime.js writes " (10:00 CET, 1 min ago)" after every <time>: a time the page had put in
    brackets itself read "(27 Nov 2026 09:00 UTC (1 min ago))"."""
    SourceFactory(health="failing", last_error="HTTP 503", last_error_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
                  last_success_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))

    soup = BeautifulSoup(client.get("/sources").content, "html.parser")

    times = soup.select("main time")
    assert len(times) == 2
    for time in times:
        before = time.previous_sibling
        assert not (isinstance(before, str) and before.rstrip().endswith("(")), time.parent


def test_sources_needing_attention_come_first_and_switched_off_ones_last(client):
    SourceFactory(name="A healthy", health="ok")
    SourceFactory(name="B off", health="failing", enabled=False)
    SourceFactory(name="C stopped", health="gave_up")
    SourceFactory(name="D new", health="new")
    SourceFactory(name="E failing", health="failing")
    assert [row["Source"].split(" news")[0] for row in rows(client)] == [
        "C stopped", "E failing", "A healthy", "D new", "B off"]
    assert rows(client)[-1]["Health"] == "Not polled (switched off)"


def test_the_counts_add_up_and_only_enabled_sources_count(client):
    SourceFactory(health="ok")
    SourceFactory(health="ok")
    SourceFactory(health="failing")
    SourceFactory(health="ok", enabled=False)
    text = " ".join(BeautifulSoup(client.get("/sources").content, "html.parser").select_one(".summary-line")
                    .get_text().split())
    assert text == "3 sources polled: 2 healthy, 1 failing, 0 not fetched yet."


def test_error_text_from_the_network_is_escaped(client):
    SourceFactory(health="failing", last_error="<script>alert(1)</script> in the body")
    body = client.get("/sources").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; in the body" in body


def test_the_sources_page_is_two_queries_whatever_the_number_of_sources(client, django_assert_num_queries):
    # The rows, and the summary of all sources that tells "no network" (articles/source_health.py).
    SourceFactory.create_batch(30, health="failing", last_error="timeout")
    with django_assert_num_queries(2):
        assert client.get("/sources").status_code == 200


UNRESOLVED = "could not resolve host '{}' (Name or service not known); check the host name in the URL"


def test_offline_the_page_says_no_network_once_instead_of_blaming_each_host_name(client):
    for n in range(3):
        SourceFactory(name=f"Status {n}", health="failing", consecutive_failures=2,
                      last_error=UNRESOLVED.format(f"status-{n}.example.com"),
                      last_success_at=datetime(2026, 11, 27, 9, 15, tzinfo=UTC))
    response = client.get("/sources")
    notice = " ".join(BeautifulSoup(response.content, "html.parser").select_one(".notice").get_text(" ").split())
    assert notice.startswith("No network: name resolution failed for every source since 2026-11-27 09:15 UTC.")
    assert [row["Last error"].split(" (")[0] for row in rows(client)] == [
        "name resolution failed: no network"] * 3
    assert b"check the host name" not in response.content


def test_one_source_that_does_not_resolve_keeps_its_specific_error(client):
    SourceFactory(name="Typo", health="failing", last_error=UNRESOLVED.format("stauts.example.com"))
    SourceFactory(name="Fine", health="ok", last_success_at=datetime(2026, 11, 27, 9, 15, tzinfo=UTC))
    response = client.get("/sources")
    assert b"No network" not in response.content
    assert rows(client)[0]["Last error"].startswith(
        "could not resolve host 'stauts.example.com' (Name or service not known); check the host name in the URL")
