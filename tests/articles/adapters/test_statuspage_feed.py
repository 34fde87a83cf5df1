from datetime import UTC, datetime

import pytest

from articles.adapters import statuspage_feed
from articles.items import AdapterError, ItemKind, VendorStatus

from . import read_fixture


def items_of(fixture: str) -> dict:
    return {item.vendor_incident_id: item for item in statuspage_feed.parse(read_fixture(f"statuspage/{fixture}"))}


def atom_entry(published: str, content: str, link: str = "https://status.example.com/incidents/abc123") -> bytes:
    escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Status - Incident History</title>
<entry><id>tag:status.example.com,2005:Incident/1</id><published>{published}</published>
<updated>{published}</updated><link rel="alternate" type="text/html" href="{link}"/>
<title>Example incident</title><content type="html">{escaped}</content></entry></feed>""".encode()


def update_paragraph(stamp: str, word: str, text: str) -> str:
    return f"<p><small>{stamp}</small><br><strong>{word}</strong> - {text}</p>"


def test_it_reads_a_github_status_incident_with_every_update_oldest_first():
    items = items_of("githubstatus-history-2019-11-22.atom")

    assert len(items) == 25
    item = items["w7wlzstc8wss"]
    assert item.kind == ItemKind.STATUS
    assert item.external_id == "tag:www.githubstatus.com,2005:Incident/3234309"
    assert item.url == "https://www.githubstatus.com/incidents/w7wlzstc8wss"
    assert item.title == "Incident on 2019-11-20 01:19 UTC"
    assert [(update.posted_at.strftime("%H:%M"), update.status) for update in item.updates] == [
        ("01:19", VendorStatus.INVESTIGATING),
        ("01:52", VendorStatus.UPDATE),
        ("02:20", VendorStatus.UPDATE),
        ("02:50", VendorStatus.UPDATE),
        ("03:25", VendorStatus.RESOLVED),
    ]
    assert item.updates[0].text == "We are investigating problems starting runs for Actions workflows."
    assert item.updates[0].vendor_status == "Investigating"
    assert item.status == VendorStatus.RESOLVED
    assert item.started_at == datetime(2019, 11, 20, 1, 19, tzinfo=UTC)
    assert item.resolved_at == datetime(2019, 11, 20, 3, 25, tzinfo=UTC)
    assert item.published_at == datetime(2019, 11, 20, 3, 25, 47, tzinfo=UTC)
    assert item.impact == ""


def test_it_converts_pst_and_pdt_stamps_to_utc():
    items = items_of("metastatuspage-atlassian-history-2019-11-23.atom")

    standard = items["lcvzzk0mgfw3"]  # "Nov 20, 17:00 PST" .. "Nov 20, 18:35 PST": the next day in UTC
    assert standard.started_at == datetime(2019, 11, 21, 1, 0, tzinfo=UTC)
    assert standard.resolved_at == datetime(2019, 11, 21, 2, 35, tzinfo=UTC)
    daylight = items["qngtc1b4kvgy"]
    assert daylight.title == "Issue with Datadog metrics reporting"
    assert daylight.resolved_at == datetime(2019, 8, 6, 23, 8, tzinfo=UTC)  # "Aug  6, 16:08 PDT"


def test_it_reads_the_old_2014_format_whose_pst_label_means_pacific_time_all_year():
    items = items_of("parse-history-2014-01-09.rss")

    assert len(items) == 17
    new_year = items["lzf7mjchpy20"]  # "Jan  1, 08:17 PST" .. "Jan  1, 09:09 PST", no <var>
    assert [update.posted_at for update in new_year.updates] == [
        datetime(2014, 1, 1, 16, 17, tzinfo=UTC),
        datetime(2014, 1, 1, 17, 0, tzinfo=UTC),
        datetime(2014, 1, 1, 17, 9, tzinfo=UTC),
    ]
    # Parse printed "PST" in October too; its pubDate says -0700, and so does Pacific time.
    october = items["gtdv7rgyn76g"]
    assert october.resolved_at == datetime(2013, 10, 28, 21, 48, tzinfo=UTC) == october.published_at


def test_a_postmortem_after_the_resolution_is_the_status_and_the_resolution_keeps_its_time():
    item = items_of("parse-history-2014-01-09.rss")["p9hy357zjvb3"]

    assert [update.status for update in item.updates] == [
        VendorStatus.INVESTIGATING, VendorStatus.RESOLVED, VendorStatus.POSTMORTEM,
    ]
    assert item.status == VendorStatus.POSTMORTEM
    assert item.resolved_at == datetime(2013, 12, 24, 19, 21, tzinfo=UTC)
    assert item.updates[2].text.startswith("# Summary of the December 24 Parse Service Disruption")


def test_maintenance_words_map_to_maintenance_statuses_and_impact():
    item = items_of("digitalocean-history-2020-01-13.atom")["2yyk6j58xcxh"]

    assert [update.status for update in item.updates] == [
        VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS, VendorStatus.VERIFYING, VendorStatus.COMPLETED,
    ]
    assert item.updates[0].posted_at == datetime(2020, 1, 9, 14, 27, tzinfo=UTC)  # "Jan <var> 9</var>"
    assert item.status == VendorStatus.COMPLETED
    assert item.impact == "maintenance"
    assert item.started_at == datetime(2020, 1, 9, 14, 27, tzinfo=UTC)
    assert item.resolved_at == datetime(2020, 1, 11, 11, 57, tzinfo=UTC)


def test_the_rss_and_atom_histories_of_one_page_give_the_same_updates():
    atom = items_of("digitalocean-history-2020-01-13.atom")
    rss = items_of("digitalocean-history-2020-01-11.rss")

    assert atom.keys() == rss.keys()
    for code, item in atom.items():
        assert [(u.posted_at, u.status, u.text) for u in item.updates] == [
            (u.posted_at, u.status, u.text) for u in rss[code].updates
        ]
    assert rss["2yyk6j58xcxh"].external_id == "https://status.digitalocean.com/incidents/2yyk6j58xcxh"


def test_it_puts_december_stamps_of_an_entry_dated_in_january_in_the_previous_year():
    # Symantec dates a maintenance entry by its window (January 2020); its updates are from December.
    item = items_of("symantec-wss-history-2020-01-02.atom")["nn13t2d7hr8s"]

    assert item.published_at == datetime(2020, 1, 9, 14, 0, tzinfo=UTC)
    assert [update.posted_at for update in item.updates] == [
        datetime(2019, 12, 12, 21, 28, tzinfo=UTC),
        datetime(2019, 12, 17, 9, 25, tzinfo=UTC),
    ]


def test_an_incident_that_spans_new_year_gets_both_years():
    content = update_paragraph("Jan <var>1</var>, <var>00:20</var> UTC", "Resolved", "Fixed.") + update_paragraph(
        "Dec <var>31</var>, <var>23:50</var> UTC", "Investigating", "Looking into it."
    )

    [item] = statuspage_feed.parse(atom_entry("2020-01-01T00:20:00Z", content))

    assert item.started_at == datetime(2019, 12, 31, 23, 50, tzinfo=UTC)
    assert item.resolved_at == datetime(2020, 1, 1, 0, 20, tzinfo=UTC)
    assert item.vendor_incident_id == "abc123"


def test_headers_and_bold_words_inside_an_update_are_not_updates():
    item = items_of("symantec-wss-history-2020-01-02.atom")["nn13t2d7hr8s"]

    assert len(item.updates) == 2  # not the "THIS IS A SCHEDULED EVENT" header, nor "Impact"
    assert item.updates[0].vendor_status == "Scheduled"
    assert "Impact" in item.updates[0].text and "Required Action" in item.updates[0].text
    # The newest post is a plain "Update": the maintenance is still scheduled.
    assert item.status == VendorStatus.SCHEDULED
    assert item.resolved_at is None


def test_updates_posted_in_the_same_minute_keep_their_order():
    item = items_of("streamyard-history-2024-06-10.atom")["l4222m9bmd6k"]

    assert [update.status for update in item.updates] == [
        VendorStatus.INVESTIGATING, VendorStatus.UPDATE, VendorStatus.RESOLVED,
    ]
    assert item.status == VendorStatus.RESOLVED


def test_an_unknown_zone_label_uses_the_offset_the_feed_writes_its_dates_in():
    content = update_paragraph("Mar <var>3</var>, <var>10:15</var> IST", "Investigating", "Slow logins.")

    [item] = statuspage_feed.parse(atom_entry("2021-03-03T10:20:00+05:30", content))

    assert item.started_at == datetime(2021, 3, 3, 4, 45, tzinfo=UTC)


def test_an_entry_without_update_paragraphs_has_no_updates_and_no_status():
    [item] = statuspage_feed.parse(atom_entry("2021-03-03T10:20:00Z", "<p>We are looking into it.</p>"))

    assert item.updates == ()
    assert item.status is None
    assert item.summary_html == "<p>We are looking into it.</p>"


def test_an_entry_without_any_date_has_no_dates_and_no_dated_updates():
    body = atom_entry("", update_paragraph("Mar <var>3</var>, <var>10:15</var> UTC", "Resolved", "Fixed."))
    body = body.replace(b"<published></published>", b"").replace(b"<updated></updated>", b"")

    [item] = statuspage_feed.parse(body)

    assert item.published_at is None and item.updated_at is None
    assert item.updates == ()  # a stamp without a year cannot be placed without the entry's date
    assert item.title == "Example incident"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the body is empty"),
        (b"<html><body>Status</body></html>", "the body is an HTML page"),
        (b'{"page": {}}', "the body is JSON"),
    ],
)
def test_a_body_that_is_no_feed_is_an_adapter_error(body, message):
    with pytest.raises(AdapterError, match=message):
        statuspage_feed.parse(body)
