"""Facts of one article: what is affected now, apart from the earlier incidents it recalls (issue 13).

The articles are made up in the style of the press (a mail outage with its history paragraph);
none is a recorded item."""

from datetime import UTC, datetime

import pytest

from incidents.extraction import facts as facts_module
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_BODY_CHARS, earlier_incident_spans, extract, facts_as_json

CATALOGUE = Catalogue.load_default()
PUBLISHED = datetime(2025, 6, 10, 14, 0, tzinfo=UTC)

MAIL_OUTAGE_TITLE = "Microsoft 365 outage blocks Exchange Online email delivery"
MAIL_OUTAGE_BODY = "\n".join([
    "Microsoft is investigating an ongoing outage that is preventing Exchange Online customers in Europe from "
    "sending and receiving email.",
    "Affected users see bounces with the error \"550 5.7.1 Unfortunately, messages from [40.107.22.5] weren't "
    'sent," according to reports shared by admins. Others get "451 4.7.500 Server busy. Please try again later."',
    "\u201cWe're currently reviewing reports of users being unable to send or receive email via Exchange Online,"
    "\u201d Microsoft said. The company later said it had identified a configuration change as the cause and is "
    "rolling out a fix.",
    "In April, Microsoft also fixed an outage that blocked access to Teams and OneDrive for Business; that incident "
    "was resolved within hours. Last month's Azure Front Door outage also took down the Microsoft Intune admin "
    "center. Back then, users in Asia could not sign in.",
    "A similar outage in 2023 hit Outlook.com and SharePoint Online.",
])


def names(facts):
    return facts.service_names, facts.earlier_service_names


def test_a_mail_outage_article_keeps_its_history_apart_from_what_is_affected_now():
    facts = extract(MAIL_OUTAGE_TITLE, MAIL_OUTAGE_BODY, PUBLISHED, CATALOGUE)
    assert names(facts) == (
        ("Microsoft 365", "Exchange Online"),
        ("Microsoft Teams", "Microsoft OneDrive", "Azure Front Door", "Microsoft Intune", "Outlook.com",
         "SharePoint Online"),
    )
    assert facts.vendor_names == ("Microsoft",)  # Azure only through last month's Front Door outage
    assert facts.status == "identified"  # not "resolved", which the April incident was
    assert facts.region_labels == ["Europe"]  # not Asia, where users could not sign in back then
    assert [impact.label for impact in facts.impacts] == ["unable to send email"]  # not April's sign-in failures
    assert facts.error_messages == (
        "550 5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent",
        "451 4.7.500 Server busy. Please try again later.",
    )


def test_the_earlier_services_are_in_the_json_of_extract_and_the_affected_ones_stay_where_they_were():
    as_json = facts_as_json(extract(MAIL_OUTAGE_TITLE, MAIL_OUTAGE_BODY, PUBLISHED, CATALOGUE))
    assert as_json["services"] == ["Microsoft 365", "Exchange Online"]
    assert as_json["earlier_services"][:2] == ["Microsoft Teams", "Microsoft OneDrive"]


@pytest.mark.parametrize(
    ("body", "now", "earlier"),
    [
        ("Exchange Online users cannot send mail.\nIn April, it also fixed an outage that hit Teams.",
         ("Exchange Online",), ("Microsoft Teams",)),
        ("Exchange Online users cannot send mail. Last month's outage of Zoom Meetings lasted three hours.",
         ("Exchange Online",), ("Zoom Meetings",)),
        ("Exchange Online users cannot send mail. A similar outage in 2023 hit Gmail.",
         ("Exchange Online",), ("Gmail",)),
        ("Exchange Online users cannot send mail. Earlier this year, SharePoint Online was down for a day.",
         ("Exchange Online",), ("SharePoint Online",)),
        ("Exchange Online users cannot send mail. Microsoft previously fixed a bug that broke Intune.",
         ("Exchange Online",), ("Microsoft Intune",)),
        ("Exchange Online users cannot send mail, two months after a similar outage hit OneDrive.",
         ("Exchange Online",), ("Microsoft OneDrive",)),
        # a paragraph that opens with the past stays there until a sentence speaks of now
        ("Exchange Online users cannot send mail.\nThis isn't the first time Microsoft has struggled with mail. "
         "In March, an Azure outage took down Teams. The problem also affected SharePoint Online. "
         "Today, OneDrive is affected as well.",
         ("Exchange Online", "Microsoft OneDrive"), ("Microsoft Teams", "SharePoint Online")),
    ],
    ids=["in-april", "last-months-outage", "similar-outage-in-2023", "earlier-this-year", "previously",
         "months-after", "history-paragraph"],
)
def test_services_named_only_where_the_article_recalls_earlier_incidents_are_not_affected_now(body, now, earlier):
    assert names(extract("Mail outage", body, PUBLISHED, CATALOGUE)) == (now, earlier)


@pytest.mark.parametrize(
    ("title", "body", "now"),
    [
        # the title is the article's subject, whatever the body recalls
        ("Microsoft Teams down again", "In April, Microsoft fixed an outage that hit Teams.", ("Microsoft Teams",)),
        # dates of this event, or ahead of it, recall nothing
        ("Mail outage", "The outage started on Monday, June 9, and Exchange Online is still down.",
         ("Exchange Online",)),
        ("Mail outage", "Exchange Online is down. Microsoft said it will retire basic authentication in October "
         "2026, and that OneDrive is unaffected.", ("Exchange Online", "Microsoft OneDrive")),
        # an inserted relative clause ends at its comma
        ("Mail outage", "Microsoft 365, which launched in 2011, is down and Exchange Online users in Europe "
         "cannot send mail.", ("Microsoft 365", "Exchange Online")),
        # a later clause that speaks of now is back in the present
        ("Mail outage", "Exchange Online is down. Users first reported slow mail in November 2024, but this week "
         "OneDrive failed too.", ("Exchange Online", "Microsoft OneDrive")),
        ("Mail outage", "As previously reported, Exchange Online users cannot send mail.", ("Exchange Online",)),
        # a review of a past incident: its date is the subject's, not history
        ("What went wrong", "On May 11, a change to Exchange Online blocked mail for six hours. OneDrive was "
         "affected too.", ("Exchange Online", "Microsoft OneDrive")),
    ],
    ids=["title", "this-week", "ahead", "relative-clause", "now-clause", "as-previously-reported", "review"],
)
def test_what_the_article_is_about_stays_affected_now(title, body, now):
    facts = extract(title, body, PUBLISHED, CATALOGUE)
    assert (facts.service_names, facts.earlier_service_names) == (now, ())


def test_a_status_post_is_about_its_own_incident_whatever_it_dates():
    body = "On April 2, a change blocked mail for Exchange Online users. Last month's fix for OneDrive is unrelated."
    post = extract("Incident report", body, PUBLISHED, CATALOGUE, is_status_post=True)
    assert names(post) == (("Exchange Online", "Microsoft OneDrive"), ())
    press = extract("Incident report", body, PUBLISHED, CATALOGUE)
    assert names(press) == (("Exchange Online",), ("Microsoft OneDrive",))


@pytest.mark.parametrize("sentence", [
    "It went down last week too.", "Earlier this year it failed.", "Two months ago it broke.",
    "It broke 3 weeks after.",
    "A similar DNS outage hit Azure.", "The previous outages were short.", "It is not the first time.",
    "It isn't the first outage.", "Its long history of crashes.", "Like in the past, it broke.",
    "It previously suffered one.", "In April, it broke.", "April 2024 saw one.", "On Nov. 8 it broke.",
    "On 8 December it broke.", "Back in 2023 it broke.", "The 2023 outage was long.", "On 2024-04-08 it broke.",
    "IT WENT DOWN LAST WEEK.", "It went down la\u017ft week.", "Th\u0131s is n\u2019t the first t\u0131me.",
])
def test_a_sentence_with_an_earlier_mark_is_never_skipped(sentence):
    assert facts_module._EARLIER_MARK.search(sentence)
    assert facts_module._may_hold_a_mark(sentence)


def test_a_sentence_without_the_words_of_a_mark_is_skipped():
    assert not facts_module._may_hold_a_mark("Outlook is down for thousands of users in Europe.")


@pytest.mark.parametrize(
    "body",
    [
        "Exchange Online is down. " + "Teams went down in April and " * 40_000,  # a sentence of a megabyte
        "Exchange Online is down. " + "Last month. " * 100_000,
        "Exchange Online is down.\n" + "In April, Microsoft fixed an outage that hit Teams.\n" * 20_000,
        "Exchange Online is down. \u201c" + "a similar outage, " * 60_000,
        "Exchange Online is down. " + "a 2023 outage, " * 80_000,
    ],
    ids=["one-long-sentence", "many-sentences", "many-paragraphs", "open-quote", "years"],
)
def test_a_megabyte_of_history_gives_the_facts_of_its_bounded_start_in_bounded_spans(body):
    facts = extract("Mail outage", body, PUBLISHED, CATALOGUE)
    assert facts == extract("Mail outage", body[:MAX_BODY_CHARS], PUBLISHED, CATALOGUE)
    # Every sentence here recalls the past, so every span is a clause around its words: it reaches a
    # bounded distance back and ahead of them, even in a sentence of a megabyte with no full stop.
    spans = earlier_incident_spans(body[:MAX_BODY_CHARS], PUBLISHED)
    longest = facts_module._MAX_CLAUSE_BACK + facts_module._MAX_CLAUSE_AHEAD + len("a similar outage")
    assert spans and all(0 <= start < end <= MAX_BODY_CHARS and end - start <= longest for start, end in spans)


# --- whose outage it is --------------------------------------------------------------------------------


@pytest.mark.parametrize("title, subject", [
    ("Spotify is down for thousands of users", "vendor:spotify"),  # a catalogue vendor, by the headline's grammar
    ("Massive Cloudflare outage takes down ChatGPT and X", "vendor:cloudflare"),  # the root, not its victims
    ("ChatGPT is down", "vendor:openai"),  # a service names its vendor
    ("X is having an up and down Monday", "vendor:x"),  # the vendor's name without its parenthesis, "X (Twitter)"
    ("Twitter.com - Is Twitter Down?", "vendor:x"),  # and by an alias: one subject, one incident
    ("Quokkanet goes dark for hours after botched update", "name:quokkanet"),  # a name the catalogue lacks
    ("Weekly roundup: new phones and a price cut", ""),  # says nothing about whose outage
])
def test_the_subject_is_whose_outage_the_headline_reports(title, subject):
    assert extract(title, "", PUBLISHED, CATALOGUE).subject == subject


def test_a_status_post_about_another_providers_outage_is_about_that_provider():
    facts = extract("Azure Experiencing Downtime, Cloudflare Monitoring",
                    "We are closely monitoring the situation with Azure, Cloudflare remains available.",
                    PUBLISHED, CATALOGUE, is_status_post=True, source_vendor="Cloudflare")
    assert facts.about_vendor == "azure"
    assert facts.subject == "vendor:azure"


def test_a_status_post_naming_a_partner_is_still_the_posters_own_incident():
    facts = extract("Google Drive previews failing", "Some users cannot preview Google Drive files shared in Slack.",
                    PUBLISHED, CATALOGUE, is_status_post=True, source_vendor="Slack")
    assert facts.about_vendor == ""
    assert facts.subject == "vendor:slack"


def test_cues_far_past_their_threshold_make_an_outage_the_model_missed(monkeypatch):
    from incidents.extraction import outage_model

    monkeypatch.setattr(outage_model, "score", lambda *a, **k: outage_model.OutageScore(0.01, False, ()))
    strong = facts_module.outage_relevance("Slack is down: outage knocks workspaces offline",
                                           "Users could not connect; Slack said it was investigating.", False, True)
    weak = facts_module.outage_relevance("Slack adds new huddle features", "", False, True)
    assert strong.is_outage and "times their threshold" in strong.evidence[0]
    assert not weak.is_outage


# --- cascades, places not affected, boilerplate ------------------------------------------------------

AT = datetime(2025, 10, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, blamed", [
    ("Some users may be unable to log in due to an outage at our upstream provider Cloudflare.", "cloudflare"),
    ("We are investigating elevated errors caused by an issue with Amazon Web Services in us-east-1.", "aws"),
    ("We are investigating elevated error rates for Git operations.", ""),
    ("Errors due to an issue with GitHub Actions runners.", ""),  # its own service: no other provider
])
def test_a_status_post_that_blames_another_provider_names_it(text, blamed):
    facts = extract("Degraded performance", text, AT, CATALOGUE, is_status_post=True, source_vendor="GitHub")
    assert facts.claims.caused_by == blamed and not facts.about_vendor


def test_a_post_that_only_watches_another_provider_blames_no_one():
    facts = extract("Azure Experiencing Downtime, Cloudflare Monitoring", "We are closely monitoring the situation "
                    "with Azure, Cloudflare remains available.", AT, CATALOGUE, is_status_post=True,
                    source_vendor="Cloudflare")
    assert facts.about_vendor == "azure" and facts.claims.caused_by == ""


def test_places_served_from_or_not_affected_are_no_affected_regions_and_support_lines_name_no_service():
    facts = extract("AWS outage hits US-EAST-1", "EC2 in us-east-1 is failing. Requests were served successfully "
                    "from Northern Virginia. Customers in Europe were not affected. For help, contact AWS Support.",
                    AT, CATALOGUE)
    assert facts.region_labels == ["aws:us-east-1"]
    assert all("support" not in slug for slug in facts.services)


def test_a_place_traffic_is_moved_away_from_is_affected_and_the_place_it_fails_over_to_is_not():
    facts = extract("Azure outage", "Microsoft is shifting traffic away from West Europe. Some "
                    "workloads failed over to North Europe.", AT, CATALOGUE)
    assert facts.region_labels == ["azure:westeurope"]


def test_where_an_attack_is_said_to_come_from_is_no_affected_region():
    facts = extract("Elon Musk claims bad actors in Ukraine are behind “massive” X cyberattack",
                    "Users in the United States could not load X for hours on Monday.", AT, CATALOGUE)
    assert facts.region_labels == ["United States"]


@pytest.mark.parametrize("body", [
    "Microsoft Azure is experiencing an outage just one week after issues with AWS took out swaths of the internet.",
    "Status pages still show green. Heads up to anyone on Azure. Last week AWS, now this.",
])
def test_a_vendor_named_only_in_a_look_back_at_last_weeks_outage_is_not_affected_now(body):
    facts = extract("Azure outage takes down Microsoft services", body, AT, CATALOGUE)
    assert "azure" in facts.vendors and "aws" not in facts.vendors


def test_every_recalled_phrase_holds_a_word_the_mark_prefilter_looks_for():
    # The prefilter skips sentences without these words: a phrase added to _RECALLED without one of
    # them would never be searched for.
    alternatives, depth, start = [], 0, 0
    pattern = facts_module._RECALLED
    for at, char in enumerate(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0) if pattern[at - 1:at] != "\\" else 0
        if char == "|" and depth == 0:
            alternatives.append(pattern[start:at])
            start = at + 1
    alternatives.append(pattern[start:])
    assert len(alternatives) > 5
    for alternative in alternatives:
        assert any(word in alternative.lower() for word in facts_module._RECALLED_WORDS), alternative
