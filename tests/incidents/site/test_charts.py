"""Server-drawn SVG charts: well-formed, accessible, escaped, and drawn where the data says."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from incidents.site.charts import LABEL_WIDTH, MIN_BAR, WIDTH, monthly_bars, week_timeline
from incidents.site.timeline import Bar, Lane

SVG = "{http://www.w3.org/2000/svg}"
END = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
START = END - timedelta(days=7)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # raises on anything that is not well-formed XML


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if "bar" in rect.get("class", "").split()]


def test_the_week_chart_is_an_image_with_a_title_and_a_description_naming_every_lane():
    lanes = [Lane("Cloudflare", (Bar(END - timedelta(days=1), END - timedelta(hours=20), 4, "CDN down"),)),
             Lane("GitHub", (Bar(END - timedelta(days=2), END - timedelta(days=2) + timedelta(hours=1), 2, "Slow"),
                             Bar(END - timedelta(days=3), None, 3, "Actions"),))]
    svg = parse(week_timeline(lanes, START, END, chart_id="wk"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "wk-title wk-desc"
    assert svg.find(f"{SVG}title").get("id") == "wk-title"
    description = svg.find(f"{SVG}desc").text
    assert description.startswith("3 incidents of 2 vendors")
    assert description.endswith(": Cloudflare 1; GitHub 2")
    assert [b.get("class") for b in bars(svg)] == ["bar sev-4", "bar sev-2", "bar sev-3 ongoing"]


def test_bars_sit_where_their_incident_was_and_are_clipped_to_the_window():
    plot = WIDTH - LABEL_WIDTH
    lanes = [Lane("A", (
        Bar(START + timedelta(days=1), START + timedelta(days=2), 3, "one day"),
        Bar(START - timedelta(days=3), START + timedelta(hours=12), 3, "began before the window"),
        Bar(END - timedelta(hours=6), None, 3, "ongoing"),
        Bar(START + timedelta(days=4), START + timedelta(days=4, minutes=1), 3, "a blip"),
    ))]
    one_day, before, ongoing, blip = bars(parse(week_timeline(lanes, START, END)))
    assert abs(float(one_day.get("x")) - (LABEL_WIDTH + plot / 7)) < 0.1
    assert abs(float(one_day.get("width")) - plot / 7) < 0.2
    assert float(before.get("x")) == LABEL_WIDTH
    assert abs(float(ongoing.get("x")) + float(ongoing.get("width")) - WIDTH) < 0.2
    assert float(blip.get("width")) == MIN_BAR


def test_names_and_titles_from_feeds_are_escaped():
    lanes = [Lane('<script>alert("x")</script>', (Bar(END - timedelta(days=1), END, 3, "</title><script>bad()"),))]
    markup = week_timeline(lanes, START, END)
    assert "<script>" not in markup
    svg = parse(markup)
    assert bars(svg)[0].find(f"{SVG}title").text.startswith("</title><script>bad()")


def test_an_empty_week_says_so():
    svg = parse(week_timeline([], START, END))
    assert not bars(svg)
    assert "No incidents in these 7 days" in [t.text for t in svg.iter(f"{SVG}text")]


def test_the_week_chart_marks_each_day():
    svg = parse(week_timeline([], START, END))
    days = [t.text for t in svg.iter(f"{SVG}text") if t.text and t.text[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri",
                                                                                   "Sat", "Sun")]
    assert days == ["Sat 21", "Sun 22", "Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27"]


def test_monthly_bars_draw_one_bar_per_month_scaled_to_the_busiest_with_counts_and_years():
    counts = [(date(2025, 12, 1), 2), (date(2026, 1, 1), 4), (date(2026, 2, 1), 0)]
    svg = parse(monthly_bars(counts, "Okta", chart_id="m"))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Incidents per month of Okta, Dec 2025 to Feb 2026"
    assert svg.find(f"{SVG}desc").text == "Dec 2025: 2; Jan 2026: 4; Feb 2026: 0"
    heights = [float(b.get("height")) for b in bars(svg)]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts.count("2025") == 1 and texts.count("2026") == 1  # under the first month and each January


def test_monthly_bars_escape_the_subject():
    markup = monthly_bars([(date(2026, 1, 1), 1)], "A & B <Corp>")
    assert "A &amp; B &lt;Corp&gt;" in markup
    parse(markup)


def test_a_day_that_begins_at_the_right_edge_gets_its_line_but_no_name():
    end = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    svg = parse(week_timeline([], end - timedelta(days=7), end))
    names = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Thu 26" in names and "Fri 27" not in names
    assert len(list(svg.iter(f"{SVG}line"))) == 7


def test_a_component_strip_has_a_cell_per_day_coloured_by_state_and_says_it_in_words():
    from datetime import UTC, datetime

    from incidents.site.charts import component_strip

    days = [(datetime(2026, 11, d, tzinfo=UTC), state) for d, state in
            [(1, ""), (2, "operational"), (3, "major_outage")]]
    svg = component_strip("API <v2>", days, 98.5, "strip-1")

    assert svg.count("<rect") == 3
    assert 'class="cell state-none"' in svg and 'class="cell state-major_outage"' in svg
    assert "<title>03 Nov 2026: major outage</title>" in svg
    assert "API &lt;v2&gt;, 01 Nov 2026 to 03 Nov 2026, uptime 98.50%. 03 Nov 2026: major outage" in svg
    assert 'class="chart strip"' in svg
