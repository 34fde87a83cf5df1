# ruff: noqa: RUF001 - summaries quote with typographic marks, as the offline backend writes them
from datetime import UTC, datetime

import pytest

from incidents.extraction.catalogue import Catalogue
from incidents.summaries.brief import IncidentBrief, RelatedIncident, ServiceInfo, SourceDoc, Statement, Summary
from incidents.summaries.faithfulness import UnsupportedClaim, unsupported_claims

CATALOGUE = Catalogue.load_default()
AS_OF = datetime(2023, 11, 27, 18, 0, tzinfo=UTC)


def at(hour, minute, day=27):
    return datetime(2023, 11, day, hour, minute, tzinfo=UTC)


# A Microsoft 365 service-health update and a news report of one Exchange Online incident, in the
# words those sources use; the brief's facts are what extraction would find in them.
STATUS_UPDATE = SourceDoc(
    ref="update:1",
    kind="update",
    publisher="Microsoft 365 Status",
    title="MO502273 - Some users may be unable to send email",
    text=(
        'User impact: Users may receive the error "550 5.7.708 Service unavailable. Access denied" when sending '
        "email to external recipients. More info: Impact is specific to users served by our datacentres in "
        "Frankfurt. Current status: We've identified that a recent change to outbound spam filtering is causing "
        "legitimate messages to be rejected, and we're reverting it. Start time: Monday, November 27, 2023, at "
        "1:05 PM UTC. Next update by: Monday, November 27, 2023, at 4:00 PM UTC."
    ),
    published_at=at(13, 40),
    status="investigating",
    incident_ids=("MO502273",),
    error_messages=("550 5.7.708 Service unavailable. Access denied",),
    region_labels=("Frankfurt",),
    service_names=("Exchange Online",),
    vendor_names=("Microsoft",),
)
NEWS = SourceDoc(
    ref="article:7",
    kind="news",
    publisher="The Register",
    title="Exchange Online bounces outbound mail with 5.7.708 errors",
    text=(
        "Downdetector logged more than 1,200 reports by mid-afternoon. Microsoft is tracking the problem as "
        "MO502273 and blames a change to spam filtering. Admins on Reddit say a second issue, EX702915, is "
        "slowing delivery for tenants in the Netherlands."
    ),
    published_at=at(13, 30),
    incident_ids=("MO502273", "EX702915"),
)
EARLIER = (
    RelatedIncident(slug="exchange-online-mailbox-access", title="Exchange Online mailbox access problems",
                    started_at=at(8, 0, day=9), resolved_at=at(10, 30, day=9), ref="article:3",
                    ref_text="Exchange Online users in Europe could not open their mailboxes for 2 h 30 min on "
                             "9 November; about 4,000 tenants were affected."),
    RelatedIncident(slug="exchange-online-delays", title="Exchange Online mail delays",
                    started_at=at(9, 0, day=20), resolved_at=at(9, 50, day=20), ref="article:4",
                    ref_text="Mail to Exchange Online was delayed by up to 50 minutes."),
)


def exchange_brief(**changes) -> IncidentBrief:
    facts = {
        "title": "Exchange Online rejects outbound mail with 550 5.7.708",
        "status": "resolved",
        "severity": "major",
        "started_at": at(13, 5),
        "first_reported_at": at(13, 20),
        "as_of": AS_OF,
        "vendor": "Microsoft",
        "services": (ServiceInfo("Exchange Online", "Microsoft's hosted business email"),),
        "region_labels": ("Frankfurt",),
        "vendor_incident_ids": ("MO502273",),
        "error_messages": ("550 5.7.708 Service unavailable. Access denied",),
        "resolved_at": at(15, 20),  # 2 h 15 min after the start
        "vendor_acknowledged_at": at(13, 40),
        "first_press_at": at(13, 30),
        "related": EARLIER,  # two earlier incidents: this is the third
        "related_count": len(EARLIER),
        "sources": (NEWS, STATUS_UPDATE),
    }
    return IncidentBrief(**{**facts, **changes})


FAITHFUL_WHY = (
    Statement("Exchange Online (Microsoft's hosted business email) had problems in Frankfurt for 2 h 15 min, "
              "from 13:05 UTC on 27 Nov until 15:20 UTC on 27 Nov.", ("update:1",)),
    Statement("Users see errors such as “550 5.7.708 Service unavailable. Access denied”.", ("update:1",)),
    Statement("It is the third Exchange Online incident in 30 days.", ("article:3", "article:4")),
)
FAITHFUL_TAKEAWAYS = (
    Statement("Microsoft acknowledged it as MO502273 at 13:40 UTC on 27 Nov, 10 min after the first press "
              "report (The Register).", ("update:1", "article:7")),
    Statement("Senders get 550 5.7.708 errors when they mail external recipients.", ("update:1",)),
    Statement("Microsoft said: “We’ve identified that a recent change to outbound spam filtering is causing "
              "legitimate messages to be rejected, and we’re reverting it.”", ("update:1",)),
    Statement("Downdetector logged more than 1,200 reports, The Register says.", ("article:7",)),
)


def summary_of(*statements: Statement) -> Summary:
    return Summary(why_this_matters=FAITHFUL_WHY, takeaways=(*FAITHFUL_TAKEAWAYS[:2], *statements))


def claims(*statements: Statement) -> list[tuple[str, str]]:
    """(kind, claim) of every unsupported claim of a summary: the faithful one plus these statements."""
    found = unsupported_claims(summary_of(*statements), exchange_brief(), CATALOGUE)
    return [(claim.kind, claim.claim) for claim in found]


def says(text: str, *refs: str) -> Statement:
    return Statement(text, refs or ("update:1",))


# --- what passes -------------------------------------------------------------------------------------


def test_a_faithful_summary_has_no_unsupported_claims():
    summary = Summary(why_this_matters=FAITHFUL_WHY, takeaways=FAITHFUL_TAKEAWAYS)
    assert unsupported_claims(summary, exchange_brief(), CATALOGUE) == []


def test_a_faithful_summary_of_a_github_incident_passes_and_an_invented_one_does_not():
    post = SourceDoc(
        ref="status:21", kind="status", publisher="GitHub status", title="Incident with Git Operations",
        text=("We are investigating reports of degraded performance for Git Operations and GitHub Actions. About "
              "8% of git push requests are failing. 14:32 UTC: We have deployed a fix and are seeing recovery. "
              "https://www.githubstatus.com/incidents/5jfkz8q1mlql"),
        published_at=at(14, 40),
    )
    brief = exchange_brief(
        title="Incident with Git Operations", vendor="GitHub", region_labels=(), error_messages=(),
        services=(ServiceInfo("Git Operations"), ServiceInfo("GitHub Actions")), related=(),
        vendor_incident_ids=("5jfkz8q1mlql",), sources=(post,),
    )
    faithful = Statement("GitHub says about 8% of git pushes failed until it deployed a fix at 14:32 UTC "
                         "(githubstatus.com/incidents/5jfkz8q1mlql).", ("status:21",))
    invented = Statement("GitHub Copilot was also down for 18% of users (githubstatus.com/incidents/7xk2m9p4qrst).",
                         ("status:21",))
    summary = Summary(why_this_matters=(faithful,), takeaways=(invented,))
    found = [(claim.kind, claim.claim) for claim in unsupported_claims(summary, brief, CATALOGUE)]
    assert found == [("incident_id", "7xk2m9p4qrst"), ("product", "GitHub Copilot"), ("number", "18")]


def test_a_time_in_another_zone_passes_when_it_is_the_same_instant_as_a_fact_or_source():
    # 13:05 UTC (the start) is 8:05 EST; "4:00 PM UTC" in the update is 11:00 EST.
    assert claims(says("The trouble began at 8:05 a.m. EST; the next update was due at 11:00 EST.")) == []
    assert claims(says("The trouble began at 9:05 a.m. EST.")) == [("time", "9:05 a.m. EST")]


def test_a_region_that_contains_a_stated_one_passes_but_worldwide_does_not():
    assert claims(says("Mail for users in Europe and Germany was affected.")) == []
    assert claims(says("Mail was affected worldwide.")) == [("region", "worldwide")]


def test_durations_and_ordinals_the_facts_allow_pass():
    assert claims(says("It lasted 2 h 15 min, the third such incident.", "article:3")) == []
    assert claims(says("It lasted 2 h 45 min, the fourth such incident.", "article:3")) == [
        ("number", "45"), ("number", "fourth")]


def test_a_related_incident_is_evidence_for_the_statement_that_cites_it():
    # Its start and length are facts of the brief; the tenant count only its source states.
    earlier = "About 4,000 tenants could not open their mailboxes for 2 h 30 min on 9 November."
    assert claims(says(earlier, "article:3")) == []
    assert claims(says(earlier, "update:1")) == [("number", "4,000")]


@pytest.mark.parametrize("text", [
    "Some senders saw 550 5.7.708 bounces.",
    "Senders saw 550 5.7.708 Service unavailable errors.",
    "Senders saw 550 5.7.708 Service unavailable. Access denied.",
])
def test_an_unquoted_error_message_may_be_followed_by_prose(text):
    assert claims(says(text)) == []


@pytest.mark.parametrize(("text", "message"), [
    ("Senders saw 550 5.7.708 Service refused.", "550 5.7.708 Service refused"),
    ("Senders saw 550 5.7.708 Mailbox full.", "550 5.7.708 Mailbox full"),
    ("Senders saw 550 5.7.709 bounces.", "550 5.7.709 bounces"),
])
def test_an_unquoted_error_message_that_goes_on_differently_from_the_source_is_caught(text, message):
    assert claims(says(text)) == [("error_message", message)]


# --- what is caught ----------------------------------------------------------------------------------


def test_it_catches_an_invented_incident_id():
    assert claims(says("Microsoft tracks it as MO502274.")) == [("incident_id", "MO502274")]


def test_it_catches_a_wrong_number():
    assert claims(says("Downdetector logged more than 12,000 reports.", "article:7")) == [("number", "12,000")]


def test_it_catches_a_time_in_no_source_or_fact():
    assert claims(says("Microsoft acknowledged it at 12:10 UTC on 27 Nov.")) == [("time", "12:10 UTC on 27 Nov")]


def test_it_catches_a_region_in_no_fact_or_cited_text():
    assert claims(says("Users served from Tokyo cannot send mail.")) == [("region", "Tokyo")]


def test_it_catches_a_product_unrelated_to_the_incident():
    assert claims(says("Google Drive uploads fail too.")) == [("product", "Google Drive")]


def test_it_catches_a_misquoted_error_message():
    assert claims(says("Users see “550 5.7.708 Service unavailable. Access refused”.")) == [
        ("error_message", "550 5.7.708 Service unavailable. Access refused")]


def test_it_catches_a_misquoted_sentence_of_a_source():
    assert claims(says("Microsoft said: “A recent change to inbound spam filtering is causing messages to be "
                       "rejected.”")) == [
        ("quote", "A recent change to inbound spam filtering is causing messages to be rejected.")]


def test_a_quotation_with_words_left_out_passes_when_each_part_is_in_the_source():
    assert claims(says("Microsoft said a “recent change to outbound spam filtering … and we're reverting it”.")) == []


def test_it_catches_a_citation_of_a_source_the_brief_does_not_have():
    assert claims(says("Microsoft tracks it as MO502273.", "update:1", "article:99")) == [
        ("citation", "article:99")]


def test_a_fact_stated_only_by_an_uncited_source_is_not_supported():
    # The Register, not the status update, gives the report count, the second id and the Netherlands.
    statement = "Downdetector logged 1,200 reports; EX702915 slows delivery in the Netherlands."
    assert claims(says(statement, "article:7")) == []
    assert claims(says(statement, "update:1")) == [
        ("incident_id", "EX702915"), ("region", "the Netherlands"), ("number", "1,200")]


def test_a_span_is_reported_once_under_the_kind_that_covers_it():
    # The invented id and number inside a misquote are the quote's; "365" is the product's, and
    # us-east-1 (with its "1") the region's.
    found = claims(says("The update says “MO502299 affects 40 users”; Windows 365 in us-east-1 was fine."))
    assert found == [("quote", "MO502299 affects 40 users"), ("product", "Windows 365"), ("region", "us-east-1")]


def test_the_publisher_of_a_cited_source_is_evidence_for_its_name():
    # "Microsoft 365" is only in the name of the status page that published the update.
    assert claims(says("Microsoft 365 Status confirmed it.", "update:1")) == []
    assert claims(says("Microsoft 365 Status confirmed it.", "article:7")) == [("product", "Microsoft 365")]


def test_a_claim_reads_as_a_sentence():
    claim = UnsupportedClaim(statement="Downdetector logged 12,000 reports.", claim="12,000", kind="number")
    assert str(claim) == 'number "12,000" in "Downdetector logged 12,000 reports." is in no cited source or fact'
    long = UnsupportedClaim(statement="x" * 200, claim="article:99", kind="citation")
    assert str(long) == f'citation "article:99" in "{"x" * 79}…" names no source of this incident'


@pytest.mark.parametrize(("text", "found"), [
    ("“" * 20_000, []),
    ("550 5.7.708 " * 3_000, []),  # the brief's own error code, however often
    ("a" * 50_000, []),
    ("12:00 UTC " * 3_000, [("time", "12:00 UTC")]),  # one claim, however often it is made
])
def test_long_and_hostile_statements_give_each_claim_once(text, found):
    assert claims(says(text)) == found


def test_a_quote_of_a_markdown_post_is_supported_with_or_without_its_marks():
    # Google Cloud's own update (gcp-status-incidents-2022-07-03.json), written in markdown.
    post = SourceDoc(ref="update:9", kind="update", publisher="Google Cloud status", title="GKE API errors",
                     text="**Cloud Data Fusion** customers may have experienced instance creation and deletion "
                          "failures in us-central1.", published_at=AS_OF)
    brief = IncidentBrief(title="GKE API errors", status="resolved", severity="minor", started_at=AS_OF,
                          first_reported_at=AS_OF, as_of=AS_OF, vendor="Google Cloud", sources=(post,))
    for quoted in ("“**Cloud Data Fusion** customers may have experienced instance creation and deletion failures.”",
                   "“Cloud Data Fusion customers may have experienced instance creation and deletion failures.”"):
        summary = Summary(why_this_matters=(), takeaways=(Statement(quoted, ("update:9",)),))
        assert unsupported_claims(summary, brief, CATALOGUE) == [], quoted
