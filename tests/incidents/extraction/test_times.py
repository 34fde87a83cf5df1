from datetime import UTC, datetime

import pytest

from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_BODY_CHARS, extract
from incidents.extraction.times import find_times

CATALOGUE = Catalogue.load_default()

# Publication times of the articles the examples come from (aware UTC, as extraction passes them).
JULY = datetime(2024, 7, 19, 15, 0, tzinfo=UTC)
JANUARY = datetime(2024, 1, 10, 15, 0, tzinfo=UTC)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def found(text, reference=JULY):
    return [(mention.text, mention.utc) for mention in find_times(text, reference)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 9:15 EDT", ("9:15 EDT", utc(2024, 7, 19, 13, 15))),
        ("at 14:02 UTC", ("14:02 UTC", utc(2024, 7, 19, 14, 2))),
        ("at 2:30 p.m. PT", ("2:30 p.m. PT", utc(2024, 7, 18, 21, 30))),  # today's would be 6.5 h ahead
        ("at 10:47 AM PDT", ("10:47 AM PDT", utc(2024, 7, 19, 17, 47))),
        ("at 07:30 GMT", ("07:30 GMT", utc(2024, 7, 19, 7, 30))),
        ("at 09:15 BST", ("09:15 BST", utc(2024, 7, 19, 8, 15))),
        ("at 11:00 CET/CEST", ("11:00 CET/CEST", utc(2024, 7, 19, 9, 0))),  # summer: CEST
        ("at 17:00 IST", ("17:00 IST", utc(2024, 7, 19, 11, 30))),  # India
        ("at 12:53 PM PDT", ("12:53 PM PDT", utc(2024, 7, 18, 19, 53))),  # today's would be 5 h ahead
        ("at 9.15am BST", ("9.15am BST", utc(2024, 7, 19, 8, 15))),
        ("at 18:00 JST", ("18:00 JST", utc(2024, 7, 19, 9, 0))),
        ("at 11:00 AEST", ("11:00 AEST", utc(2024, 7, 19, 1, 0))),
        ("at 14:00 UTC+2", ("14:00 UTC+2", utc(2024, 7, 19, 12, 0))),
        ("at 2024-07-19T04:09:00Z", ("2024-07-19T04:09:00Z", utc(2024, 7, 19, 4, 9))),
        ("at 9:00 PM Pacific Daylight Time", ("9:00 PM Pacific Daylight Time", utc(2024, 7, 19, 4, 0))),
    ],
)
def test_it_reads_clock_times_with_their_zones(text, expected):
    assert found(text) == [expected]


def test_zone_names_without_standard_or_summer_follow_daylight_saving():
    assert found("at 9:00 AM PT", JANUARY) == [("9:00 AM PT", utc(2024, 1, 10, 17, 0))]  # PST
    assert found("at 9:00 AM PT", JULY) == [("9:00 AM PT", utc(2024, 7, 19, 16, 0))]  # PDT
    assert found("at 9:00 AM Eastern", JANUARY) == [("9:00 AM Eastern", utc(2024, 1, 10, 14, 0))]
    assert found("11:00 CET/CEST", JANUARY) == [("11:00 CET/CEST", utc(2024, 1, 10, 10, 0))]


def test_an_explicit_standard_or_summer_abbreviation_is_taken_literally():
    # "PST" in July is the writer's slip; it still names UTC-8.
    assert found("at 9:00 AM PST", JULY) == [("9:00 AM PST", utc(2024, 7, 19, 17, 0))]
    assert found("at 9:00 AM EDT", JANUARY) == [("9:00 AM EDT", utc(2024, 1, 10, 13, 0))]


def test_a_time_without_a_date_is_the_one_at_or_shortly_before_publication():
    published = utc(2024, 7, 20, 1, 0)  # 21:00 the evening before, in New York
    assert found("The outage began at 9:15 PM Eastern.", published) == [
        ("9:15 PM Eastern", utc(2024, 7, 20, 1, 15))]
    assert found("It started at 23:30 UTC.", utc(2024, 7, 20, 12, 0)) == [("23:30 UTC", utc(2024, 7, 19, 23, 30))]
    # a promised update a little after publication stays on the same day
    assert found("We will provide an update by 14:00 UTC.", utc(2024, 7, 20, 12, 0)) == [
        ("14:00 UTC", utc(2024, 7, 20, 14, 0))]


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        # Statuspage, AWS and GCP stamps
        ("Jan 9, 21:09 UTC", JANUARY, [("Jan 9, 21:09 UTC", utc(2024, 1, 9, 21, 9))]),
        ("Posted Jan 09, 2024 - 21:09 UTC", JULY, [("Jan 09, 2024 - 21:09 UTC", utc(2024, 1, 9, 21, 9))]),
        ("2024-07-19 04:09 UTC", JULY, [("2024-07-19 04:09 UTC", utc(2024, 7, 19, 4, 9))]),
        ("The issue with Google BigQuery has been resolved for all affected users as of Friday, 2022-07-01 12:23 "
         "US/Pacific.", JULY, [("Friday, 2022-07-01 12:23 US/Pacific", utc(2022, 7, 1, 19, 23))]),
        # GitHub status texts, 2022-2024
        ("(19 Sep 20:57 UTC)", utc(2023, 9, 20), [("19 Sep 20:57 UTC", utc(2023, 9, 19, 20, 57))]),
        ("On 2023-09-19 at 20:36 UTC, while migrating", JULY, [("2023-09-19 at 20:36 UTC", utc(2023, 9, 19, 20, 36))]),
        ("Beginning at 8:38 PM UTC on July 31, 2024 and lasting until 9:28 PM UTC on July 31, 2024, some",
         utc(2024, 8, 1), [("8:38 PM UTC on July 31, 2024", utc(2024, 7, 31, 20, 38)),
                           ("9:28 PM UTC on July 31, 2024", utc(2024, 7, 31, 21, 28))]),
        ("On Monday February 12th, 2024, 03:00 UTC we deployed a code change. At 06:00 UTC we observed an increase",
         utc(2024, 2, 13), [("Monday February 12th, 2024, 03:00 UTC", utc(2024, 2, 12, 3, 0)),
                            ("06:00 UTC", utc(2024, 2, 12, 6, 0))]),
        # Azure's post-incident reviews
        ("Between 21:40 UTC on 18 Jul 2024 and 22:00 UTC on 19 Jul 2024", JULY,
         [("21:40 UTC on 18 Jul 2024", utc(2024, 7, 18, 21, 40)),
          ("22:00 UTC on 19 Jul 2024", utc(2024, 7, 19, 22, 0))]),
    ],
)
def test_it_takes_the_date_the_text_gives(text, reference, expected):
    assert found(text, reference) == expected


def test_a_date_without_a_year_takes_the_plausible_year():
    assert found("Dec 30, 10:00 UTC", utc(2024, 1, 2)) == [("Dec 30, 10:00 UTC", utc(2023, 12, 30, 10, 0))]
    assert found("maintenance on Jan 5, 10:00 UTC", utc(2024, 12, 20)) == [("Jan 5, 10:00 UTC", utc(2025, 1, 5, 10))]
    assert found("On January 9 at 1:06 UTC", JULY) == [("January 9 at 1:06 UTC", utc(2024, 1, 9, 1, 6))]


def test_a_weekday_alone_is_the_latest_such_day_before_publication():
    # JULY is a Friday at 15:00 UTC; Friday 9:15 PM ET would be hours ahead, so it is the Friday before.
    assert found("on Friday at 9:15 PM ET", JULY) == [("Friday at 9:15 PM ET", utc(2024, 7, 13, 1, 15))]
    assert found("on Thursday at 14:00 UTC", JULY) == [("Thursday at 14:00 UTC", utc(2024, 7, 18, 14, 0))]


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("Team synchronization will be paused on Monday, March 28th from 12:00 to 16:30 UTC to reduce mySQL1 load.",
         utc(2022, 3, 25), [("Monday, March 28th from 12:00", utc(2022, 3, 28, 12, 0)),
                            ("16:30 UTC", utc(2022, 3, 28, 16, 30))]),
        ("Actions will be in a maintenance window from Friday, April 8th 23:00 to Saturday, April 9th 1:00 UTC",
         utc(2022, 4, 1), [("Friday, April 8th 23:00", utc(2022, 4, 8, 23, 0)),
                           ("Saturday, April 9th 1:00 UTC", utc(2022, 4, 9, 1, 0))]),
        ("From 17:39-18:12 UTC GitHub was down in parts of North America", JULY,
         [("17:39", utc(2024, 7, 19, 17, 39)), ("18:12 UTC", utc(2024, 7, 19, 18, 12))]),
        ("Customers saw push event deliveries fail between 16:23 and 17:12 (UTC).", utc(2023, 12, 2),
         [("16:23", utc(2023, 12, 1, 16, 23)), ("17:12 (UTC)", utc(2023, 12, 1, 17, 12))]),
        ("On January 9 between 1:06 and 5:43 UTC, no audit log events were streamed", utc(2024, 1, 10),
         [("January 9 between 1:06", utc(2024, 1, 9, 1, 6)), ("5:43 UTC", utc(2024, 1, 9, 5, 43))]),
        ("On July 18, 2024, from 22:37 UTC to 04:47 UTC, one of our provider's services experienced degradation",
         utc(2024, 7, 20), [("July 18, 2024, from 22:37 UTC", utc(2024, 7, 18, 22, 37)),
                            ("04:47 UTC", utc(2024, 7, 19, 4, 47))]),
        # the start takes its end's date, the day before since it is later on the clock
        ("Project data modified between 20:36 UTC and 20 Sep 00:06 UTC was partially restored.", utc(2023, 9, 21),
         [("20:36 UTC", utc(2023, 9, 19, 20, 36)), ("20 Sep 00:06 UTC", utc(2023, 9, 20, 0, 6))]),
        ("From 10:30 to 16:15 UTC on January 3rd, our page experienced downtime", utc(2024, 1, 5),
         [("10:30", utc(2024, 1, 3, 10, 30)), ("16:15 UTC on January 3rd", utc(2024, 1, 3, 16, 15))]),
        ("from 22:00 to 01:00 UTC on Jan 3, 2024", JULY,
         [("22:00", utc(2024, 1, 2, 22, 0)), ("01:00 UTC on Jan 3, 2024", utc(2024, 1, 3, 1, 0))]),
    ],
)
def test_ranges_share_their_zone_and_date(text, reference, expected):
    assert found(text, reference) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Between 20:35 and 21:38 we experienced delays",  # no zone at all
        "550 5.7.708 Service unavailable; version 4.4.1; 10.0.0.1:8080",
        "the score was 3:2 and 12:75 UTC is no time",
        "see et al. 9:00 et al",
        "at 25:00 UTC and 13:00 PM UTC",
        "Niedrige Latenz seit 14:02 Uhr",
    ],
)
def test_it_ignores_numbers_that_are_not_zoned_times(text):
    assert found(text) == []


def test_each_mention_is_reported_once():
    assert found("14:02 UTC and again 14:02 UTC") == [("14:02 UTC", utc(2024, 7, 19, 14, 2))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("AWS outage", []),  # a title only
        ("Störung seit 14:02 UTC am 19. Juli", [("14:02 UTC", utc(2024, 7, 19, 14, 2))]),
        ("障害は 14:02 UTC に発生しました", [("14:02 UTC", utc(2024, 7, 19, 14, 2))]),
        ("Posted&nbsp;14:02&nbsp;UTC<br>and <b>15:00 UTC</b>", [("15:00 UTC", utc(2024, 7, 19, 15, 0))]),
        ("at 14:02 Mars/Olympus and 9:00 America/Nowhere", []),  # unknown zones
    ],
)
def test_bad_input_gives_a_sane_answer(text, expected):
    assert found(text) == expected


def test_a_naive_reference_is_taken_as_utc():
    assert found("at 14:02 UTC", datetime(2024, 7, 19, 15, 0)) == [("14:02 UTC", utc(2024, 7, 19, 14, 2))]


def test_a_megabyte_body_is_read_only_up_to_the_extraction_bound():
    # The finders are given what extract reads: at most MAX_BODY_CHARS of the body, whatever its size.
    report = ("The series of failures lasted for 15 hours and 32 minutes, Amazon said; it began at 11:48 PM PDT on "
              "October 19. Network intelligence company Ookla said its DownDetector service received more than 17 "
              "million reports of disrupted services offered by 3,500 organizations. ")
    past_the_bound = "It was over at 14:05 UTC."
    body = report * (1_000_000 // len(report)) + past_the_bound
    facts = extract("AWS outage", body, JULY, CATALOGUE)
    assert facts == extract("AWS outage", body[:MAX_BODY_CHARS], JULY, CATALOGUE)
    assert [(mention.text, mention.utc) for mention in facts.times] == [
        ("11:48 PM PDT on October 19", utc(2023, 10, 20, 6, 48))]
    assert found(past_the_bound) == [("14:05 UTC", utc(2024, 7, 19, 14, 5))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12:00 to " * 5_000 + "13:00 UTC",
         [("12:00", utc(2024, 7, 19, 12, 0)), ("13:00 UTC", utc(2024, 7, 19, 13, 0))]),
        ("12:34:56:" * 10_000, []),
        ("1.2.3.4." * 10_000, []),
        ("Friday, " * 10_000 + "12:00 UTC", [("Friday, 12:00 UTC", utc(2024, 7, 19, 12, 0))]),
        ("9" * 200_000, []),
    ],
    ids=["endless-range", "colons", "digits-and-dots", "endless-weekdays", "digits"],
)
def test_hostile_input_gives_a_sane_answer(text, expected):
    assert found(text) == expected
