# ruff: noqa: RUF001 - real sentences keep their typographic quotes and apostrophes
from datetime import UTC, datetime

import pytest

from incidents.extraction import status_words
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_BODY_CHARS, extract
from incidents.extraction.status_words import IMPACT_LABELS, LIFECYCLE, find_impacts, find_status

CATALOGUE = Catalogue.load_default()
PUBLISHED = datetime(2025, 11, 18, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # GitHub status updates (../shared/eval), as posted
        ("We are investigating reports of degraded performance for Codespaces.", "investigating"),
        ("Resolved - This incident has been resolved.", "resolved"),
        ("Monitoring - A fix has been implemented and we are monitoring the results.", "monitoring"),
        ("[RESOLVED] Increased error rates for some APIs", "resolved"),
        ("Status: Identified\nWe have identified the cause.", "identified"),
        # Google Cloud updates, 2022-07-01
        ("Description: We are experiencing an issue with Google BigQuery.\n"
         "Our engineering team continues to investigate the issue.", "investigating"),
        ("Description: We believe our engineering team identified a potential fix and is currently testing it.",
         "identified"),
        ("The issue with Google BigQuery has been resolved for all affected users as of Friday, 2022-07-01 12:23 "
         "US/Pacific.", "resolved"),
        # Ars Technica, 2025-11-18: the most advanced state wins over "continuing to monitor"
        ("“A fix has been implemented and we believe the incident is now resolved. We are continuing to monitor for "
         "errors to ensure all services are back to normal,” Cloudflare’s status page said.", "resolved"),
        # Ars Technica, 2025-10-24
        ("The outage was the result of a single failure that cascaded from system to system, according to a "
         "post-mortem from company engineers.", "postmortem"),
        ("The issue with Cloud SQL has been resolved as of Thursday, 2021-12-16 12:25 US/Pacific.", "resolved"),
        ("The degradation in migrations in the EU was caused by an internal configuration issue, which was "
         "promptly identified and resolved.", "resolved"),  # GitHub status, 2024
        ("Once the fix was deployed, the issue was resolved.", "resolved"),
        ("Service has been restored for most users.", "resolved"),
        ("Microsoft says the issue has been mitigated.", "monitoring"),
        ("Microsoft is investigating reports that Outlook is down.", "investigating"),
    ],
)
def test_it_reads_the_most_advanced_lifecycle_state_stated(text, status):
    assert find_status(text) == status


@pytest.mark.parametrize(
    "text",
    [
        "Users were unable to resolve DNS names for DynamoDB.",  # the verb, not the state
        "Lookups for the endpoint were resolved to the wrong address.",
        "We will publish a root cause analysis once our review is complete.",  # promised, not published
        # GitHub status: awaited, not reached
        "This incident will remain open for now until we have confirmed that the service is fully restored.",
        "We expect the issue to be resolved within the hour.",
        "Ookla identified the three biggest countries where reports originated.",
        "Restore points and monitoring dashboards are explained in our docs.",
    ],
)
def test_words_that_do_not_state_a_lifecycle_state_give_none(text):
    assert find_status(text) is None


# Issue 13: a press article about a mail outage gave no status. The wordings reporters and vendors
# use, in every person and tense (made-up sentences in their style).
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Microsoft began investigating the outage at 9:15 AM UTC.", "investigating"),
        ("The company started investigating after users flooded Downdetector.", "investigating"),
        ('"We\'re currently reviewing reports of users being unable to send email," Microsoft said.', "investigating"),
        ("Microsoft says it is reviewing telemetry to understand the impact.", "investigating"),
        ("Microsoft said it was looking into the problem.", "investigating"),
        ("Engineers are looking into reports of failed logins.", "investigating"),
        ("The company said it is working to address the issue.", "investigating"),
        # the verb is not the state: work to resolve is under way, nothing is resolved yet
        ("We are working to resolve the issue as quickly as possible.", "investigating"),
        ("Microsoft has identified a recent configuration change as the cause.", "identified"),
        ("We've identified the source of the problem.", "identified"),
        ("Microsoft is rolling out a fix to the affected infrastructure.", "identified"),
        ("The company said it was deploying a fix.", "identified"),
        ("Google is still working on a fix.", "identified"),
        ("A hotfix is being deployed to all regions.", "identified"),
        ("Microsoft deployed a fix overnight.", "monitoring"),
        ("We have applied a mitigation and are watching the results.", "monitoring"),
        ("Microsoft mitigated the impact by rerouting traffic.", "monitoring"),
        ("The impact has been mitigated for most customers.", "monitoring"),
        ("Mail flow has been fully restored.", "resolved"),
        ("With service fully restored, Microsoft apologised to customers.", "resolved"),
        ("Microsoft restored service around 14:00 UTC.", "resolved"),
        ("Outlook is back online after a four-hour outage.", "resolved"),
        ("Massive Azure outage is over, but problems linger - here's what happened", "resolved"),
    ],
)
def test_it_reads_the_states_in_the_wordings_of_press_and_posts(text, status):
    assert find_status(text) == status


@pytest.mark.parametrize(
    "text",
    [
        "Mail flow has not been fully restored.",
        "The outage hasn't been resolved yet.",
        "Microsoft has not yet fully restored service.",
        "Microsoft partially restored service around 14:00 UTC.",
        "Apple is looking into making a foldable iPad.",
        "The company is reviewing its pricing.",
        "Microsoft will deploy a fix tomorrow.",
        "Users were told to wait until mail flow is back online.",
        "The 2nd-gen Chromecast stopped working this week, but it's not over yet.",
        "Microsoft says the outage will be over by Friday.",
    ],
)
def test_a_state_denied_partly_reached_or_awaited_is_not_stated(text):
    assert find_status(text) is None


@pytest.mark.parametrize("sentence, over", [
    ("This incident has been resolved.", True),
    ("Massive Azure outage is over, but problems linger.", True),
    ("Slack said it had fixed the issue by 10 a.m. ET.", True),
    ("Services recovered at 14:00 UTC, the company said.", True),
    ("Users are no longer seeing errors.", True),
    ("Spotify is back up for most users.", True),
    ("The problem has not been fixed yet.", False),  # denied
    ("We will post an update once the service is back online.", False),  # awaited
    ("Names were resolved to the wrong address.", False),  # the verb, not the state
    ("Engineers are working to resolve the issue.", False),  # work under way
])
def test_a_report_saying_the_outage_is_over_is_read_in_the_press_s_looser_words(sentence, over):
    assert status_words.says_over(sentence) is over


def test_a_vendor_post_that_fixed_the_issue_and_watches_is_monitoring_not_over():
    post = "We have fixed the issue and are monitoring the results."
    assert find_status(post) == "monitoring" and status_words.says_over(post)


def test_the_lifecycle_order_puts_postmortem_last():
    assert LIFECYCLE == ("investigating", "identified", "monitoring", "resolved", "postmortem")


def impacts_in(text):
    return [(impact.label, impact.text) for impact in find_impacts(text)]


@pytest.mark.parametrize(
    ("text", "impacts"),
    [
        ("We are investigating reports of degraded performance for Codespaces.",
         [("degraded performance", "degraded performance")]),
        # Ars Technica, 2024-07-19: CrowdStrike
        ("A buggy update to CrowdStrike's Falcon security software caused Windows-based systems to crash with a "
         "dreaded blue screen of death (BSOD) error message.", [("crashes", "crash")]),
        # GitHub status texts
        ("Our internal search infrastructure experienced increased latency and timeouts between 13:15 and 14:05 UTC",
         [("increased latency", "increased latency"), ("timeouts", "timeouts")]),
        ("some GitHub customers experienced increased latency or errors accessing repo data.",
         [("increased latency", "increased latency")]),
        ("GitHub Hosted Runners experienced increased error rates from our main cloud service provider.",
         [("elevated error rates", "increased error rates")]),
        ("a small % of clients in West US are seeing connection resets or connection timeouts, leading to failed "
         "action downloads.", [("intermittent connectivity", "connection resets"), ("timeouts", "timeouts"),
                               ("failures", "failed")]),
        ("Some teams may see delayed synchronization of teams.", [("delays", "delayed")]),
        ("Customers were unable to sign in to Outlook and could not send email.",
         [("unable to sign in", "unable to sign in"), ("unable to send email", "could not send email")]),
        ("Users can’t log in; mail flow issues persist.",
         [("unable to sign in", "can’t log in"), ("unable to send email", "mail flow issues")]),
        ("A major outage hit AWS, and a partial outage hit Azure, with some data loss.",
         [("major outage", "major outage"), ("partial outage", "partial outage"), ("data loss", "data loss")]),
        ("Snapchat went down and services were disrupted worldwide.", [("service disruption", "went down")]),
    ],
)
def test_it_names_the_kinds_of_harm_with_the_words_that_said_so(text, impacts):
    assert impacts_in(text) == impacts


@pytest.mark.parametrize(
    "text",
    [
        # GitHub status texts
        "No data or jobs were lost.",
        "Resumes were not impacted. There was no data loss.",
        "The deployment finished without delays.",
        "A single point of failure triggered the Amazon outage.",  # Ars Technica headline, 2025-10-24
    ],
)
def test_negated_harm_and_idioms_are_not_impacts(text):
    assert impacts_in(text) == []


def test_every_impact_label_is_in_the_published_vocabulary():
    text = ("unable to sign in, unable to send email, elevated error rates, increased latency, degraded performance, "
            "major outage, partial outage, service disruption, intermittent connectivity, timeouts, crashes, "
            "data loss, delays, failures")
    assert [label for label, _ in impacts_in(text)] == list(IMPACT_LABELS)


@pytest.mark.parametrize(
    ("text", "status", "impacts"),
    [
        ("", None, []),
        ("AWS outage", None, []),  # a title only
        ("Störung: Wir untersuchen das Problem. Anmeldung nicht möglich.", None, []),
        ("障害が解決しました", None, []),
        ("<p>Resolved&nbsp;-&nbsp;This incident has been resolved.<br>Users saw delays</p>", "resolved",
         [("delays", "delays")]),
    ],
)
def test_bad_input_gives_a_sane_answer(text, status, impacts):
    assert find_status(text) == status
    assert impacts_in(text) == impacts


def test_a_megabyte_body_is_read_only_up_to_the_extraction_bound():
    # The finders are given what extract reads: at most MAX_BODY_CHARS of the body, whatever its size.
    report = ("A Cloudflare outage caused large chunks of the Internet to go dark Tuesday morning, temporarily "
              "impacting big platforms like X and ChatGPT. A fix has been implemented and we believe the incident "
              "is now resolved. Some customers may be still experiencing issues logging into the dashboard. ")
    past_the_bound = "A post-incident review followed. Some data loss occurred."
    body = report * (1_000_000 // len(report)) + past_the_bound
    facts = extract("Cloudflare outage", body, PUBLISHED, CATALOGUE)
    assert facts == extract("Cloudflare outage", body[:MAX_BODY_CHARS], PUBLISHED, CATALOGUE)
    assert (facts.status, [impact.label for impact in facts.impacts]) == ("resolved", ["unable to sign in"])
    assert (find_status(past_the_bound), impacts_in(past_the_bound)) == ("postmortem", [("data loss", "data loss")])


@pytest.mark.parametrize(
    "text",
    ["error" * 100_000, "has been " * 10_000, "no " * 30_000 + "delays", "1.2.3.4." * 10_000],
    ids=["error", "auxiliaries", "negations", "digits-and-dots"],
)
def test_hostile_input_states_nothing(text):
    assert find_status(text) is None
    assert impacts_in(text) == []


class _WindowRecorder:
    """A compiled pattern that records the length of each window it is asked to search."""

    def __init__(self, pattern):
        self.pattern, self.windows = pattern, []

    def search(self, text, pos, endpos):
        self.windows.append(endpos - pos)
        return self.pattern.search(text, pos, endpos)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("has not been fully restored " * 40_000, None),
        ("is looking into " * 60_000, "investigating"),
        ("working to " * 100_000, None),
        ("is rolling out a fix " * 50_000, "identified"),
    ],
    ids=["denials", "looking-into", "working-to", "fixes"],
)
def test_repeated_wordings_are_each_checked_in_a_bounded_window(text, status, monkeypatch):
    denied = _WindowRecorder(status_words._DENIED)
    monkeypatch.setattr(status_words, "_DENIED", denied)
    assert find_status(text) == status
    assert len(denied.windows) <= len(text.split()) and max(denied.windows, default=0) <= 30


@pytest.mark.parametrize("sentence, earlier", [
    ("In December 2021, a similar outage in the same region took down Disney+ and Slack for hours.", True),
    ("Last year, a similar outage was resolved after two hours.", True),
    ("It is not the first time the service has gone down.", True),
    ("Previously, the company blamed a faulty update.", True),
    ("Cloudflare's dashboard is failing to load for many users.", False),
    ("The outage began at 6:48 a.m. ET on Monday.", False),
])
def test_a_sentence_about_earlier_incidents_is_told_apart(sentence, earlier):
    assert status_words.is_about_earlier_incidents(sentence) is earlier


@pytest.mark.parametrize("sentence, acknowledged", [
    ("\u201cWe are continuing to monitor,\u201d Cloudflare\u2019s status page said.", True),
    ("Cloudflare acknowledged the problem on X.", True),
    ("The outage is over, according to Cloudflare.", True),
    ("Cloudflare did not respond to a request for comment.", False),
    ("Users said Cloudflare was down across Europe.", False),
    ("Cloudflare has not confirmed the cause.", False),
])
def test_the_vendor_speaking_in_a_press_sentence_is_told_apart(sentence, acknowledged):
    assert status_words.says_vendor_acknowledged(sentence, "Cloudflare") is acknowledged
