"""The offline writer on briefs built from real sources: GitHub's status updates of 19 Dec 2023
(from the dev set github-status-incidents-2022-2024.jsonl), Ars Technica's Cloudflare and AWS
reports of 2025, Google Cloud's updates (gcp-status-incidents-2022-07-03.json)."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from incidents.extraction.catalogue import Catalogue
from incidents.summaries.brief import IncidentBrief, RelatedIncident, ServiceInfo, SourceDoc
from incidents.summaries.faithfulness import unsupported_claims
from incidents.summaries.offline import summarise
from incidents.summaries.roles import wrong_role_claims
from tests.incidents.summaries.test_roles import ARS_CLOUDFLARE, SILENT_VENDOR
from tests.incidents.summaries.test_roles import brief as press_brief

CATALOGUE = Catalogue.load_default()
GITHUB_POST = "https://www.githubstatus.com/incidents/d3mfyt4nqnv5"


def at(hour, minute, day=19, month=12, year=2023):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def update(n, when, status, text, url=GITHUB_POST, publisher="GitHub status"):
    return SourceDoc(ref=f"update:{n}", kind="update", publisher=publisher,
                     title="Incident with Packages, Issues, Pull Requests and Webhooks", text=text,
                     published_at=when, url=url, status=status, vendor_names=("GitHub",))


GITHUB_CLOSING = (
    "On December 19, 2023, between 20:30 and 22:50 UTC multiple services experienced intermittent errors "
    "communicating with our MySQL backends. An average of 0.12% and max of 1.30% of requests hit 5xx errors and "
    "timeouts for web and API requests during this period. The majority of impact was mitigated at 22:10, with a "
    "lower rate of failures ending by 22:50. This issue was caused by unhandled exceptions during routine "
    "maintenance of our internal networking hosts.")
GITHUB_UPDATES = (
    update(1, at(21, 12), "investigating", "We are investigating reports of degraded performance for Packages"),
    update(2, at(21, 42), "investigating", "Issues is experiencing degraded performance. We are continuing to "
                                           "investigate."),
    update(3, at(21, 45), "investigating", "We are seeing database connection issues among our applications. We "
                                           "are investigating the root cause."),
    update(4, at(22, 12), "investigating", "We applied a configuration change to our database, and we are seeing a "
                                           "recovery."),
    update(5, at(22, 50), "resolved", GITHUB_CLOSING),
)


def github_brief(**changes) -> IncidentBrief:
    fields = dict(
        title="Incident with Packages, Issues, Pull Requests and Webhooks", status="resolved", severity="minor",
        started_at=at(21, 12), first_reported_at=at(21, 12), as_of=at(12, 0, day=20), vendor="GitHub",
        services=(ServiceInfo("GitHub Issues", "GitHub's issue tracker", "GitHub"),),
        resolved_at=at(22, 50), vendor_acknowledged_at=at(21, 12), sources=GITHUB_UPDATES,
    )
    return IncidentBrief(**{**fields, **changes})


def texts(summary):
    return [s.text for s in summary.statements()]


def test_the_vendors_closing_report_with_cause_window_and_scale_wins_over_filler():
    summary = summarise(github_brief())
    closing = [s for s in summary.takeaways if s.kind == "closing"]
    assert closing and closing[0].citations == ("update:5",)
    assert "between 20:30 and 22:50 UTC" in closing[0].text or "caused by" in closing[0].text
    assert not any("continuing to investigate" in t for t in texts(summary))
    # The figure of impact is the sources', not a count of updates.
    assert any("1.30%" in t for t in texts(summary))
    assert not any("status updates" in t for t in texts(summary))
    assert unsupported_claims(summary, github_brief(), CATALOGUE) == []
    assert wrong_role_claims(summary, github_brief(), CATALOGUE) == []


def test_no_catalogue_description_pads_the_paragraph():
    summary = summarise(github_brief())
    assert not any("GitHub's issue tracker" in t for t in texts(summary))


def test_one_citation_per_source_a_post_and_its_updates_are_one():
    summary = summarise(github_brief())
    for statement in summary.statements():
        origins = [github_brief().source(ref).origin for ref in statement.citations]
        assert len(origins) == len(set(origins)), statement


def test_a_resolved_incident_with_no_known_start_says_so_instead_of_0_min():
    one_post = (update(5, at(22, 50), "resolved", GITHUB_CLOSING),)
    brief = github_brief(sources=one_post, started_at=at(22, 50), resolved_at=at(22, 50),
                         vendor_acknowledged_at=at(22, 50), first_reported_at=at(22, 50))
    summary = summarise(brief)
    assert not any(re.search(r"\b0 min\b|from 22:50 to 22:50", t) for t in texts(summary))
    assert wrong_role_claims(summary, brief, CATALOGUE) == []
    assert unsupported_claims(summary, brief, CATALOGUE) == []


# Ars Technica's report of the AWS outage of 20 Oct 2025 (arstechnica-feed-2025-10-25-aws-outage.rss),
# shortened, and a paragraph about earlier outages as such articles write them.
ARS_AWS = SourceDoc(
    ref="article:1", kind="news", publisher="Ars Technica", title="A single point of failure triggered the Amazon "
    "outage affecting millions", url="https://arstechnica.com/gadgets/2025/10/aws-outage/",
    text=("Network intelligence company Ookla said its DownDetector service received more than 17 million reports "
          "of disrupted services offered by 3,500 organizations. The three biggest countries where reports "
          "originated were the US, the UK, and Germany. In December 2021, a similar outage in the same region "
          "took down Disney+ and Slack for hours."),
    published_at=datetime(2025, 10, 24, 21, 53, tzinfo=UTC),
)
ARS_AWS_RCA = SourceDoc(
    ref="article:2", kind="news", publisher="Ars Technica RCA", title="Amazon explains the DNS race condition",
    url="https://arstechnica.com/information-technology/2025/10/aws-rca/",
    text="Amazon said a latent race condition in the DynamoDB DNS management system left an empty record.",
    published_at=datetime(2025, 10, 25, 9, 0, tzinfo=UTC),
)


def aws_brief(**changes) -> IncidentBrief:
    fields = dict(
        title="AWS outage", status="reported", severity="major", started_at=ARS_AWS.published_at,
        first_reported_at=ARS_AWS.published_at, as_of=ARS_AWS_RCA.published_at + timedelta(days=1),
        vendor="Amazon Web Services", sources=(ARS_AWS, ARS_AWS_RCA),
    )
    return IncidentBrief(**{**fields, **changes})


def test_impact_is_stated_from_the_sources_figures():
    summary = summarise(aws_brief())
    assert "17 million reports" in summary.why_this_matters[1].text
    assert summary.why_this_matters[1].citations == ("article:1",)


def test_two_feeds_of_one_outlet_are_one_outlet():
    assert aws_brief().news_outlets == 1
    headline_only = aws_brief(sources=(
        SourceDoc(ref="article:1", kind="news", publisher="Ars Technica", title="AWS down", text="",
                  published_at=ARS_AWS.published_at, url=ARS_AWS.url),
        SourceDoc(ref="article:2", kind="news", publisher="Ars Technica RCA", title="AWS down again", text="",
                  published_at=ARS_AWS_RCA.published_at, url=ARS_AWS_RCA.url)))
    assert not any("2 news outlets" in t for t in texts(summarise(headline_only)))


def test_a_paragraph_about_earlier_incidents_feeds_the_earlier_incidents_line_only():
    summary = summarise(aws_brief())
    about_2021 = [s for s in summary.statements() if "December 2021" in s.text]
    assert [s.kind for s in about_2021] == ["history"]
    assert about_2021[0].text.startswith("Earlier incidents, as Ars Technica recounts:")


def test_ordinals_past_ten_are_written_right_in_the_history_sentence():
    related = tuple(RelatedIncident(slug=f"earlier-{n}", title=f"Incident {n}", started_at=at(10, 0, day=n),
                                    resolved_at=at(11, 0, day=n), ref=f"article:{100 + n}", ref_text=f"Incident {n}")
                    for n in range(1, 4))
    for count, word in ((31, "32nd"), (100, "101st"), (110, "111th"), (111, "112th"), (112, "113th")):
        summary = summarise(github_brief(related=related, related_count=count))
        assert any(f"It is the {word} GitHub Issues incident" in t for t in texts(summary)), count


MARKDOWN_UPDATE = update(
    6, at(22, 0), "identified",
    "**Update**: We identified a faulty `config` push. Users can sign out and sign back in to restore access, as "
    "described in [our docs](https://docs.github.com/en/authentication).")


def test_no_raw_markdown_in_any_statement_and_the_workaround_is_found():
    brief = github_brief(sources=(*GITHUB_UPDATES[:4], MARKDOWN_UPDATE), status="identified", resolved_at=None)
    summary = summarise(brief)
    assert not any(re.search(r"\*\*|__|`|\]\(", t) for t in texts(summary))
    workaround = [s for s in summary.takeaways if s.kind == "workaround"]
    assert workaround and "sign out and sign back in" in workaround[0].text
    assert unsupported_claims(summary, brief, CATALOGUE) == []


def test_a_workaround_takeaway_only_from_a_sentence_giving_one():
    # Google Cloud's own updates: "Customers may be observing lower throughput" is impact, not a workaround.
    gcp = SourceDoc(ref="update:7", kind="update", publisher="Google Cloud status", title="BigQuery Read API",
                    text=("Description: Customers may be observing lower throughput from the Read API. "
                          "Workaround: None at this time."),
                    published_at=at(14, 4, day=1, month=7, year=2022), status="investigating",
                    vendor_names=("Google Cloud",))
    brief = github_brief(vendor="Google Cloud", services=(), sources=(gcp,), status="investigating",
                         resolved_at=None, started_at=gcp.published_at, first_reported_at=gcp.published_at,
                         vendor_acknowledged_at=gcp.published_at, as_of=gcp.published_at + timedelta(hours=1))
    assert not any(s.kind == "workaround" for s in summarise(brief).takeaways)


def test_a_vendor_quoted_in_the_press_is_never_called_silent_and_a_stated_resolution_is_said():
    the_brief = press_brief(ARS_CLOUDFLARE)
    summary = summarise(the_brief)
    assert not any(re.search(r"not (?:yet )?(?:acknowledged|confirmed)|No acknowledgement", t) for t in texts(summary))
    [acknowledgement] = [s for s in summary.takeaways if s.kind == "acknowledgement"]
    assert acknowledgement.text.startswith("Cloudflare has spoken about it, as Ars Technica reports:")
    assert "Ars Technica has since reported it resolved" in summary.why_this_matters[0].text
    assert wrong_role_claims(summary, the_brief, CATALOGUE) == []
    assert unsupported_claims(summary, the_brief, CATALOGUE) == []


def test_a_victim_of_the_vendors_outage_is_named_as_also_affected_not_as_its_service():
    services = (ServiceInfo("Cloudflare Dashboard", vendor="Cloudflare"), ServiceInfo("ChatGPT", vendor="OpenAI"))
    the_brief = press_brief(ARS_CLOUDFLARE, services=services)
    summary = summarise(the_brief)
    [scope] = [s for s in summary.takeaways if s.kind == "scope"]
    assert scope.text == "Affected: Cloudflare Dashboard (Cloudflare); no region named yet. Also affected: ChatGPT."
    assert "ChatGPT" not in summary.why_this_matters[0].text.split(" was ")[0]
    assert wrong_role_claims(summary, the_brief, CATALOGUE) == []
    assert unsupported_claims(summary, the_brief, CATALOGUE) == []


def test_the_closing_report_of_an_unknown_vendor_is_the_vendors_not_the_feeds():
    summary = summarise(github_brief(vendor="", services=()))
    [closing] = [s for s in summary.takeaways if s.kind == "closing"]
    assert closing.text.startswith("The vendor's closing report (resolved, 22:50 UTC on 19 Dec): “")


def test_the_post_incident_report_gives_a_root_cause_takeaway():
    rca = SourceDoc(
        ref="article:2", kind="news", publisher="Ars Technica RCA", title="Amazon explains the DNS race condition",
        url=ARS_AWS_RCA.url, published_at=ARS_AWS_RCA.published_at,
        text="Engineers worked through the night. The root cause was a latent race condition in the DynamoDB DNS "
             "management system, which left an empty record.")
    brief = aws_brief(status="resolved", sources=(ARS_AWS, rca), post_incident_report="article:2")
    summary = summarise(brief)
    [cause] = [t for t in summary.takeaways if t.kind == "root_cause"]
    assert cause.text == ("Root cause, in the post-incident report (Ars Technica RCA): “The root cause was a latent "
                          "race condition in the DynamoDB DNS management system, which left an empty record.”")
    assert cause.citations == ("article:2",) and unsupported_claims(summary, brief, CATALOGUE) == []
    assert not [t for t in summarise(aws_brief(status="resolved")).takeaways if t.kind == "root_cause"]


def test_a_quiet_press_incident_says_when_its_last_report_came_not_that_none_followed_the_start():
    the_brief = press_brief(SILENT_VENDOR, status="quiet")  # started 11:20, reported at 12:00, then nothing
    first = summarise(the_brief).why_this_matters[0]
    assert "last report, by The Register at" in first.text and "none has come since" in first.text
    assert "no source has reported on it since" not in first.text
    assert SILENT_VENDOR.ref in first.citations
    assert unsupported_claims(summarise(the_brief), the_brief, CATALOGUE) == []


def test_a_product_the_catalogue_lacks_is_named_with_its_vendor_not_as_the_whole_vendor_down():
    chromecast = SourceDoc(ref="article:7", kind="news", publisher="ZDNET",
                           title="'Untrusted device' errors on Chromecast? What to know",
                           text="Google says a fix is on the way for Chromecast owners who see 'Untrusted device'.",
                           published_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC), url="https://zdnet.example/c")
    the_brief = replace(press_brief(chromecast, vendor="Google"), subject="Chromecast")
    summary = summarise(the_brief)
    assert summary.why_this_matters[0].text.startswith("Chromecast (Google) ")
    [scope] = [t.text for t in summary.takeaways if t.kind == "scope"]
    assert scope == "Affected: Chromecast (Google); no region named yet."
    assert not any(t.startswith("Google was") or t.startswith("Google has been") for t in texts(summary))
    assert unsupported_claims(summary, the_brief, CATALOGUE) == []
