"""What a press report states of the lifecycle: start, end, acknowledgement, post-incident report, scale."""

from datetime import UTC, datetime, timedelta

from incidents.extraction.press_claims import PressClaims, read_claims, stated_severity

PUBLISHED = datetime(2025, 1, 9, 18, 0, tzinfo=UTC)


def test_the_start_an_article_states_in_us_eastern_time():
    claims = read_claims("Azure Portal is down", "Microsoft confirmed Azure Portal issues on the service\u2019s status "
                         "page, adding that the outage started around 12PM ET.", PUBLISHED, ("Microsoft",))
    assert claims.started_at == datetime(2025, 1, 9, 17, 0, tzinfo=UTC)
    assert claims.acknowledged and claims.acknowledged_at == datetime(2025, 1, 9, 17, 0, tzinfo=UTC)


def test_an_acknowledgement_with_the_vendors_id_and_its_time_across_a_m():
    text = ("Microsoft first acknowledged this incident (tracked under EX123456) at 9:12 a.m. ET. It was fully "
            "resolved at 11:30 a.m. ET, after more than 12,000 reports on Downdetector.")
    claims = read_claims("Outlook is down", text, PUBLISHED, ("Microsoft",))
    assert claims.acknowledged_at == datetime(2025, 1, 9, 14, 12, tzinfo=UTC)
    assert claims.acknowledgement.startswith("Microsoft first acknowledged this incident (tracked under EX123456)")
    assert claims.resolved_at == datetime(2025, 1, 9, 16, 30, tzinfo=UTC)
    assert claims.severity == 3 and "12,000 reports" in claims.severity_reason


def test_what_the_vendors_status_page_said_is_its_acknowledgement():
    text = "\u201cA fix has been implemented,\u201d Cloudflare\u2019s status page said."
    assert read_claims("Cloudflare outage", text, PUBLISHED, ("Cloudflare",)).acknowledged


def test_a_status_page_that_confirms_in_the_present_tense_is_an_acknowledgement():
    text = "OpenAI's status page confirms outage for ChatGPT, but a fix has been implemented and is being monitored."
    assert read_claims("ChatGPT is down", text, PUBLISHED, ("OpenAI",)).acknowledged
    assert read_claims("Outlook is down", "Microsoft acknowledges the sign-in failures.", PUBLISHED,
                       ("Microsoft",)).acknowledged
    assert not read_claims("Outlook is down", "Downdetector confirms thousands of reports.", PUBLISHED,
                           ("Microsoft",)).acknowledged  # not the vendor speaking


def test_the_vendor_speaking_as_the_summaries_read_it_is_an_acknowledgement():
    text = "The series of failures lasted for 15 hours and 32 minutes, Amazon said."
    assert read_claims("What broke AWS", text, PUBLISHED, ("Amazon",)).acknowledged
    assert not read_claims("AWS down", "Users said Amazon was down across Europe.", PUBLISHED,
                           ("Amazon",)).acknowledged


def test_a_vendor_working_on_a_fix_has_owned_up_to_the_problem():
    for text in ("Google says a fix is on the way, but there are some temporary workarounds.",
                 "Google is still working on a fix for the Chromecast errors."):
        assert read_claims("Chromecast errors", text, PUBLISHED, ("Google",)).acknowledged, text
    assert not read_claims("Chromecast errors", "Owners are working on a fix of their own.", PUBLISHED,
                           ("Google",)).acknowledged  # someone else's fix


def test_no_acknowledgement_from_a_denial_or_from_someone_else():
    for text in ("Microsoft did not confirm the outage.", "Users confirmed the app is broken.",
                 "Microsoft has not yet acknowledged the problem."):
        assert not read_claims("Outlook down", text, PUBLISHED, ("Microsoft",)).acknowledged, text


def test_the_company_or_its_status_page_stands_for_the_vendor():
    claims = read_claims("Game servers down", "The company said it is investigating the login failures.", PUBLISHED)
    assert claims.acknowledged and claims.acknowledged_at == PUBLISHED


def test_a_start_long_before_publication_is_history_not_this_outage():
    claims = read_claims("Down again", "The service has been flaky since January 2, 2025 at 10:00 UTC.", PUBLISHED)
    assert claims.started_at is None


def test_a_headline_naming_the_day_of_an_earlier_incident_is_a_post_incident_report():
    # PUBLISHED is 9 January 2025
    assert read_claims("Cloudflare 1.1.1.1 Incident on January 6, 2025", "", PUBLISHED).postmortem
    assert read_claims("Our incident on December 30th: what happened", "", PUBLISHED).postmortem  # last year's
    assert not read_claims("Cloudflare incident on January 9, 2025", "", PUBLISHED).postmortem  # that day: news
    assert not read_claims("Incident on February 30", "", PUBLISHED).postmortem  # no such day


def test_a_resolution_that_is_denied_or_has_no_time_states_no_end():
    assert read_claims("X down", "The issue has not been resolved at 17:00 UTC.", PUBLISHED).resolved_at is None
    assert read_claims("X down", "Service was restored.", PUBLISHED).resolved_at is None


def test_post_incident_reports_by_headline_or_by_what_they_call_themselves():
    assert read_claims("Microsoft explains what caused last week's Outlook outage", "", PUBLISHED).postmortem
    assert read_claims("Cloudflare outage: root cause was a bot-management file", "", PUBLISHED).postmortem
    assert read_claims("Massive Cloudflare outage was triggered by file that suddenly doubled in size", "",
                       PUBLISHED).postmortem
    assert read_claims("A single point of failure triggered the Amazon outage affecting millions", "",
                       PUBLISHED).postmortem
    assert not read_claims("Widespread Cloudflare outage blamed on mysterious traffic spike", "", PUBLISHED).postmortem
    # someone's claim while it lasts is news, not a report of what happened
    assert not read_claims("Elon Musk blames X outages on “massive cyberattack”", "", PUBLISHED).postmortem
    assert read_claims("AWS", "In a post-incident report published Friday, AWS blamed DNS.", PUBLISHED).postmortem
    live = read_claims("Azure is down", "We will publish a post incident review within 14 days.", PUBLISHED)
    assert not live.postmortem and live.postmortem_promised
    assert not read_claims("Slack is down for thousands", "The root cause is not yet known.", PUBLISHED).postmortem


def test_scale_from_words_and_tracker_counts():
    assert stated_severity("A worldwide outage hit millions of users") == (4, "worldwide")
    assert stated_severity("Downdetector logged 2.5 million reports")[0] == 4
    assert stated_severity("over 1,500 users reported problems")[0] == 3
    assert stated_severity("some users see slow loading")[0] == 2
    assert stated_severity("Spotify released a new feature") == (0, "")


def test_claims_survive_their_json_form():
    claims = read_claims("Outlook is down", "Microsoft confirmed it at 12:05 UTC. Fixed at 13:00 UTC.", PUBLISHED,
                         ("Microsoft",))
    assert PressClaims.from_dict(claims.to_dict()) == claims
    assert PressClaims.from_dict({}) == PressClaims()


def test_bounded_on_a_huge_text_without_full_stops():
    claims = read_claims("x", "since 9:00 UTC resolved " * 20_000, PUBLISHED)
    assert claims.started_at == PUBLISHED - timedelta(hours=9)
