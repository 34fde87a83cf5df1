"""What a feed entry says, and the JSON Feed and iCalendar writers (pure)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incidents.site.feed_formats import (
    FeedEntry,
    FeedInfo,
    citation_url,
    entry_html,
    entry_text,
    fold,
    ical_text,
    icalendar,
    json_feed,
    shortened,
    summary_entry,
    update_entry,
)
from incidents.summaries.brief import Statement

T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
URL = "https://outagehub.example/incidents/cloudflare-5xx/"
INFO = FeedInfo(title="OutageHub: Incidents", description="Every incident.", home_page_url="https://outagehub.example/",
                feed_url="https://outagehub.example/feeds/incidents.json", about_url="https://outagehub.example/feeds")
ENTRY = FeedEntry(
    url=URL, title="Cloudflare network errors", status="investigating", status_label="investigating",
    severity="critical", started_at=T0, first_reported_at=T0 + timedelta(minutes=7),
    updated_at=T0 + timedelta(hours=1), is_over=False, vendor="Cloudflare", services=("Cloudflare CDN",),
    regions=("Global",), vendor_incident_ids=("cf-1",), error_messages=("500 Internal Server Error",),
    why_this_matters=(Statement("Sites behind Cloudflare fail.", ("article:12",)),),
    takeaways=(Statement("Visitors see 500 errors.", ("article:12", "update:3")),
               Statement("Cloudflare is investigating.", ("update:3",))),
)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_heading_says_the_status_in_a_few_words():
    assert ENTRY.heading == "Cloudflare network errors (investigating)"
    reported = replace(ENTRY, status="reported", status_label="reported by press, not yet acknowledged by the vendor")
    assert reported.heading == "Cloudflare network errors (reported by press)"


def test_the_facts_give_duration_and_time_to_acknowledge_once_known():
    over = replace(ENTRY, status="resolved", status_label="resolved", is_over=True,
                   resolved_at=T0 + timedelta(hours=3, minutes=5), acknowledged_at=T0 + timedelta(minutes=37))
    facts = dict(over.facts())
    assert facts["Resolved"] == "14:53 UTC on 18 Nov 2025"
    assert facts["Duration"] == "3 h 5 min"
    assert facts["Vendor acknowledged"] == "12:25 UTC on 18 Nov 2025, 30 min after the first report"
    assert dict(ENTRY.facts())["Resolved"] == "not yet"
    assert dict(ENTRY.facts())["Vendor acknowledged"] == "not yet"
    # The vendor posting before the press reported it is no delay to speak of.
    early = dict(replace(ENTRY, acknowledged_at=T0).facts())
    assert early["Vendor acknowledged"] == "11:48 UTC on 18 Nov 2025"


def test_citations_link_to_the_sources_on_the_incident_page_numbered_once_per_source():
    html = entry_html(ENTRY)

    assert citation_url(URL, "update:3") == URL + "#source-update-3"
    assert html.count(f'<a href="{URL}#source-article-12">[1]</a>') == 2
    assert html.count(f'<a href="{URL}#source-update-3">[2]</a>') == 2
    assert "<li>Visitors see 500 errors.&nbsp;" in html


def test_everything_in_the_html_is_escaped():
    hostile = replace(ENTRY, error_messages=('<script>alert("x")</script>',),
                      takeaways=(Statement("A & B <i>", ()),), url='https://x.example/"onmouseover="')

    html = entry_html(hostile)

    assert "<script>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<li>A &amp; B &lt;i&gt;</li>" in html
    assert '"onmouseover="' not in html


def test_the_text_version_has_the_same_facts_and_no_markup():
    text = entry_text(ENTRY)

    assert "Severity: critical" in text
    assert "Why this matters: Sites behind Cloudflare fail." in text
    assert "- Visitors see 500 errors." in text
    assert "- 500 Internal Server Error" in text
    assert text.endswith(URL)
    assert "<" not in text


def test_a_scheduled_maintenance_is_published_when_it_was_announced():
    planned = replace(ENTRY, started_at=T0 + timedelta(days=2), first_reported_at=T0)
    assert planned.published_at == T0
    assert ENTRY.published_at == T0


def test_json_feed_has_the_required_keys():
    document = json_feed(INFO, [ENTRY])

    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "OutageHub: Incidents"
    (item,) = document["items"]
    assert item["id"] == URL
    assert item["date_published"] == "2025-11-18T11:48:00Z"
    assert item["date_modified"] == "2025-11-18T12:48:00Z"
    assert item["tags"] == ["Cloudflare", "Cloudflare CDN"]
    assert item["summary"] == "Sites behind Cloudflare fail."
    assert item["_outagehub"]["about"] == INFO.about_url
    assert item["_outagehub"]["resolved_at"] is None
    assert json_feed(INFO, [])["items"] == []


def test_ical_text_escapes_backslash_semicolon_comma_and_newlines():
    assert ical_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert ical_text("bell\x07 tab\there") == "bell tab\there"


def test_folding_keeps_lines_within_75_octets_and_characters_whole():
    line = "SUMMARY:" + "ünïcødé " * 30
    folded = fold(line)

    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert fold("SHORT:line") == "SHORT:line"


def test_a_calendar_has_an_event_per_incident_with_its_start_and_end():
    over = replace(ENTRY, url=URL + "x", status="resolved", status_label="resolved", is_over=True,
                   resolved_at=T0 + timedelta(hours=2))
    body = icalendar(INFO, [ENTRY, over])

    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    lines = unfold(body)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OutageHub//Incidents//EN"]
    ongoing_event, over_event = body.split("BEGIN:VEVENT")[1:]
    assert "DTSTART:20251118T114800Z" in ongoing_event and "DTEND" not in ongoing_event
    assert "DTEND:20251118T134800Z" in over_event
    assert f"UID:{URL}" in lines and f"UID:{URL}x" in lines
    assert "DTSTAMP:20251118T124800Z" in lines
    assert "TRANSP:TRANSPARENT" in lines
    assert "CATEGORIES:Cloudflare,Cloudflare CDN" in lines


def test_an_end_before_the_start_is_left_out_rather_than_making_an_invalid_event():
    wrong = replace(ENTRY, status="resolved", status_label="resolved", is_over=True,
                    resolved_at=T0 - timedelta(hours=1))

    assert "DTEND" not in icalendar(INFO, [wrong])
    assert "Duration" not in dict(wrong.facts())


def test_an_entry_drops_exactly_the_characters_xml_1_0_forbids():
    forbidden = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]))
    allowed = "\t\n\r Zürich \x7f\x85 \ud7ff\ue000\ufffd \U0001f525"
    assert replace(ENTRY, title=forbidden + allowed + forbidden).title == allowed


def test_an_entry_and_the_feed_hold_no_character_xml_1_0_forbids_whoever_wrote_them():
    entry = replace(ENTRY, title="Cloudflare\x01 network\x00 errors", vendor="Cloud\x0bflare",
                    services=("Cloudflare\ufffe CDN",), error_messages=("500\x1f Internal Server Error",),
                    takeaways=(Statement("Visitors\x02 see 500 errors.", ("article:12\x03",), kind="errors\x04"),))
    assert entry.heading == "Cloudflare network errors (investigating)"
    assert (entry.vendor, entry.services, entry.error_messages) == ("Cloudflare", ("Cloudflare CDN",),
                                                                   ("500 Internal Server Error",))
    assert entry.takeaways == (Statement("Visitors see 500 errors.", ("article:12",), kind="errors"),)
    assert replace(INFO, title="OutageHub:\x1b Incidents").title == "OutageHub: Incidents"


# An incident's own feed


def test_an_update_entry_is_titled_by_its_status_and_first_words_and_escapes_the_text():
    entry = update_entry("https://oh.example/incidents/x/", 34, datetime(2025, 11, 18, 14, 5, tzinfo=UTC),
                         "Investigating", "We see <errors> & delays for customers in Europe and are working on it "
                         "with our upstream provider to find the cause\nSecond line.", "Forge status")

    assert entry.id == entry.url == "https://oh.example/incidents/x/#source-update-34"
    assert entry.title == ("Investigating: We see <errors> & delays for customers in Europe and are working on it "
                           "with our upstream provider…")  # its first line, cut at a word within 100 characters
    assert entry.html.startswith("<p>We see &lt;errors&gt; &amp; delays")
    assert "provider to find the cause<br>Second line.</p>" in entry.html
    assert "Posted by Forge status at 14:05 UTC on 18 Nov 2025." in entry.html
    assert entry.author == "Forge status"


def test_an_update_without_text_is_titled_by_its_status_alone():
    entry = update_entry("https://oh.example/incidents/x/", 1, datetime(2025, 11, 18, tzinfo=UTC), "Resolved", "", "")
    assert entry.title == "Resolved"
    assert "Posted by the vendor" in entry.html


def test_a_summary_entry_says_which_version_and_who_wrote_it_with_numbered_citations():
    why = (Statement("Mail is delayed.", ("article:12",)),)
    takeaways = (Statement("Users see 550 errors.", ("article:12", "update:34")),)

    first = summary_entry("https://oh.example/incidents/x/", 1, datetime(2025, 11, 18, tzinfo=UTC), why, takeaways,
                          by_editor=False)
    edited = summary_entry("https://oh.example/incidents/x/", 4, datetime(2025, 11, 18, tzinfo=UTC), (), (),
                           by_editor=True)

    assert (first.title, first.id, first.url) == ("Summary written", "https://oh.example/incidents/x/#summary-1",
                                                  "https://oh.example/incidents/x/")
    assert ('Users see 550 errors.&nbsp;<a href="https://oh.example/incidents/x/#source-article-12">[1]</a>'
            in first.html)
    assert '#source-update-34">[2]</a>' in first.html
    assert (edited.title, edited.author) == ("Summary revised (version 4) by an editor", "an OutageHub editor")
    assert edited.html == "<p>Little is known yet.</p>"


@pytest.mark.parametrize(("text", "expected"), [
    ("Short.", "Short."),
    ("First line\nsecond line", "First line"),
    ("word " * 30, "word word word word word…"),
    ("x" * 40, "x" * 24 + "…"),
])
def test_shortened_cuts_at_a_word(text, expected):
    assert shortened(text, 25) == expected


def test_a_feed_entry_names_the_victims_the_post_incident_report_and_a_quiet_incident():
    entry = replace(ENTRY, also_affected=("ChatGPT", "X"), post_incident_report="published: What went wrong")
    facts = dict(entry.facts())
    assert facts["Also affected"] == "ChatGPT, X" and facts["Post-incident report"] == "published: What went wrong"
    quiet = dict(replace(ENTRY, status="quiet", is_over=False, resolved_at=None).facts())
    assert quiet["Resolved"] == "no source says so, and none has reported on it lately"
    assert "Post-incident report" not in dict(ENTRY.facts())
