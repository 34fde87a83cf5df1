# ruff: noqa: RUF001 - summaries quote with typographic marks, as the offline backend writes them
"""The role check, on briefs built from real sources: the Cloudflare outage of 18 Nov 2025 as Ars
Technica reported it, GitHub's and Google Cloud's own status updates."""

from datetime import UTC, datetime

from incidents.extraction.catalogue import Catalogue
from incidents.summaries.brief import IncidentBrief, ServiceInfo, SourceDoc, Statement, Summary
from incidents.summaries.roles import WrongRoleClaim, wrong_role_claims

CATALOGUE = Catalogue.load_default()
AS_OF = datetime(2025, 11, 21, 12, 0, tzinfo=UTC)

# Ars Technica, 18 Nov 2025 15:03 UTC, in its own words.
ARS_CLOUDFLARE = SourceDoc(
    ref="article:1", kind="news", publisher="Ars Technica",
    title="Widespread Cloudflare outage blamed on mysterious traffic spike",
    text=("Cloudflare, a network that provides services to millions of websites, went down on Tuesday morning, "
          "taking ChatGPT and X with it. “A fix has been implemented and we believe the incident is now "
          "resolved. We are continuing to monitor for errors to ensure all services are back to normal,” "
          "Cloudflare’s status page said."),
    published_at=datetime(2025, 11, 18, 15, 3, tzinfo=UTC), url="https://arstechnica.com/a/1",
)
# A press article that names the vendor without the vendor saying anything.
SILENT_VENDOR = SourceDoc(
    ref="article:2", kind="news", publisher="The Register", title="Cloudflare down, sites dark",
    text=("Users said Cloudflare was down across Europe. Cloudflare did not respond to a request for comment. "
          "Engineers are still working on the problem."),
    published_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC), url="https://www.theregister.com/b",
)


def brief(*sources, vendor="Cloudflare", services=(), resolved_at=None, status="reported", region_labels=()):
    return IncidentBrief(
        title="Cloudflare outage", status=status, severity="major", vendor=vendor,
        started_at=datetime(2025, 11, 18, 11, 20, tzinfo=UTC), first_reported_at=sources[0].published_at,
        as_of=AS_OF, services=tuple(services), sources=tuple(sources), resolved_at=resolved_at,
        region_labels=region_labels,
    )


def claims(statements, the_brief) -> list[WrongRoleClaim]:
    return wrong_role_claims(Summary(why_this_matters=(), takeaways=tuple(statements)), the_brief, CATALOGUE)


CLOUDFLARE_SERVICES = (ServiceInfo("Cloudflare Bot Management", vendor="Cloudflare"),
                       ServiceInfo("Cloudflare Dashboard", vendor="Cloudflare"),
                       ServiceInfo("ChatGPT", vendor="OpenAI"))


# --- services -------------------------------------------------------------------------------------

def test_it_flags_a_victim_listed_as_the_vendors_service():
    scope = Statement("Affected: Cloudflare Bot Management, Cloudflare Dashboard and ChatGPT (Cloudflare); no region "
                      "named yet.", ("article:1",), kind="scope")
    found = claims([scope], brief(ARS_CLOUDFLARE, services=CLOUDFLARE_SERVICES))
    assert [(c.kind, c.claim) for c in found] == [("service_owner", "ChatGPT")]
    assert "OpenAI" in found[0].why


def test_it_flags_a_victim_in_the_subject_of_the_why_sentence():
    why = Statement("Cloudflare Bot Management and ChatGPT have been reported down since 15:03 UTC on 18 Nov.",
                    ("article:1",))
    found = claims([why], brief(ARS_CLOUDFLARE, services=CLOUDFLARE_SERVICES, status="investigating"))
    assert ("service_owner", "ChatGPT") in [(c.kind, c.claim) for c in found]


def test_it_does_not_flag_the_vendors_own_services_or_a_victim_named_as_one():
    statements = [
        Statement("Affected: Cloudflare Bot Management and Cloudflare Dashboard (Cloudflare).", ("article:1",),
                  kind="scope"),
        Statement("Also affected: ChatGPT (OpenAI), X.", ("article:1",), kind="victims"),
        Statement("Affected: Cloudflare Dashboard (Cloudflare); no region named yet. Also affected: ChatGPT.",
                  ("article:1",), kind="scope"),
        Statement("ChatGPT was down for many users as a result.", ("article:1",)),
    ]
    assert claims(statements, brief(ARS_CLOUDFLARE, services=CLOUDFLARE_SERVICES)) == []


def test_it_does_not_compare_owners_without_a_known_vendor():
    scope = Statement("Affected: ChatGPT and Cloudflare Dashboard.", ("article:1",), kind="scope")
    assert claims([scope], brief(ARS_CLOUDFLARE, vendor="")) == []


# --- regions --------------------------------------------------------------------------------------

# Google Cloud's own words (gcp-status-incidents, 2022): Western Europe is where the errors were.
GCLB = SourceDoc(
    ref="update:5", kind="update", publisher="Google Cloud status", title="Cloud Load Balancing TLS errors",
    text=("Google Cloud Load Balancing (GCLB) experienced increased TLS handshake errors or connection terminations "
          "for HTTPS traffic served from load balancers in Western Europe for a duration of 2 hours, 3 minutes. "
          "Customers in North America were not affected."),
    published_at=datetime(2022, 6, 1, 12, 0, tzinfo=UTC), status="resolved", vendor_names=("Google Cloud",),
)
FAILOVER = SourceDoc(
    ref="update:6", kind="update", publisher="Azure status", title="Azure Front Door errors",
    text=("Between 09:40 and 11:10 UTC customers in West Europe saw 502 errors from Azure Front Door. "
          "Traffic was failed over to our Central US datacenter and served successfully from Northern Virginia."),
    published_at=datetime(2025, 10, 9, 11, 30, tzinfo=UTC), status="resolved", vendor_names=("Microsoft Azure",),
)


def test_it_flags_a_region_only_named_as_serving_traffic_or_not_affected():
    statements = [
        Statement("Affected: Azure Front Door (Microsoft Azure) in Northern Virginia.", ("update:6",), kind="scope"),
        Statement("Cloud Load Balancing had problems in North America for 2 h 3 min.", ("update:5",)),
    ]
    found = claims(statements, brief(GCLB, FAILOVER, vendor="Microsoft Azure"))
    assert [(c.kind, c.claim) for c in found] == [("region_not_affected", "Northern Virginia"),
                                                  ("region_not_affected", "North America")]
    assert "served successfully from Northern Virginia" in found[0].why


def test_it_does_not_flag_a_region_a_source_names_as_affected():
    # "served from load balancers in Western Europe" is where the errors were: the same sentence
    # says so, and West Europe is affected in the Azure post too.
    statements = [
        Statement("Affected: Cloud Load Balancing (Google Cloud) in Western Europe.", ("update:5",), kind="scope"),
        Statement("Azure Front Door had problems in West Europe for 1 h 30 min.", ("update:6",)),
        Statement("“Customers in North America were not affected.” (Google Cloud status)", ("update:5",)),
    ]
    assert [c for c in claims(statements, brief(GCLB, FAILOVER, vendor="")) if c.kind == "region_not_affected"] == []


# --- durations ------------------------------------------------------------------------------------

def test_it_flags_a_zero_minute_resolved_incident_no_source_states():
    resolved = datetime(2025, 11, 18, 23, 48, tzinfo=UTC)
    statements = [Statement("Resolved at 23:48 UTC on 18 Nov, 0 min after it began.", ("article:1",),
                            kind="resolution"),
                  Statement("Cloudflare had problems for 0 min, from 23:48 to 23:48 UTC on 18 Nov.", ("article:1",))]
    found = claims(statements, brief(ARS_CLOUDFLARE, resolved_at=resolved, status="resolved"))
    assert [c.kind for c in found] == ["zero_duration", "zero_duration"]


def test_it_does_not_flag_a_short_incident_a_source_states_or_a_real_duration():
    blip = SourceDoc(ref="update:9", kind="update", publisher="GitHub status", title="Incident with Git operations",
                     text="Git operations failed for about 30 seconds while a database primary failed over.",
                     published_at=datetime(2025, 1, 1, 10, 0, tzinfo=UTC), status="resolved")
    assert claims([Statement("Resolved at 10:00 UTC on 1 Jan, 0 min after it began.", ("update:9",))],
                  brief(blip, vendor="GitHub", resolved_at=blip.published_at)) == []
    assert claims([Statement("Resolved at 13:00 UTC on 18 Nov, 10 min after it began.", ("article:1",))],
                  brief(ARS_CLOUDFLARE)) == []


# --- contradicted by a cited source ------------------------------------------------------------

def test_it_flags_not_acknowledged_and_ongoing_when_the_cited_article_quotes_the_vendor_resolved():
    statements = [
        Statement("No acknowledgement from Cloudflare among the sources; first reported by Ars Technica at 15:03 "
                  "UTC on 18 Nov.", ("article:1",), kind="acknowledgement"),
        Statement("Cloudflare has been reported down since 15:03 UTC on 18 Nov; the vendor has not confirmed it.",
                  ("article:1",)),
    ]
    found = claims(statements, brief(ARS_CLOUDFLARE))
    assert [c.kind for c in found] == ["contradicted_unacknowledged", "contradicted_ongoing",
                                       "contradicted_unacknowledged"]
    assert "Cloudflare’s status page said" in found[0].why
    assert "now resolved" in found[1].why


def test_it_flags_ongoing_against_a_resolved_vendor_update():
    update = SourceDoc(ref="update:3", kind="update", publisher="GitHub status", title="Incident on 2019-11-20",
                       text="Actions runs are back to normal.", published_at=datetime(2019, 11, 20, 3, 25, tzinfo=UTC),
                       status="resolved", vendor_names=("GitHub",))
    found = claims([Statement("GitHub Actions is still having problems.", ("update:3",))],
                   brief(update, vendor="GitHub"))
    assert [(c.kind, c.claim) for c in found] == [("contradicted_ongoing", "still")]


def test_it_does_not_flag_when_the_cited_source_is_silent_or_the_vendor_declined():
    statements = [
        Statement("Not yet acknowledged by Cloudflare as of 12:30 UTC on 18 Nov, 30 min after it was first "
                  "reported by The Register.", ("article:2",), kind="acknowledgement"),
        Statement("Cloudflare has been reported down in Europe since 12:00 UTC on 18 Nov; the vendor has not "
                  "confirmed it.", ("article:2",)),
        # The quote is the source's word, not the summary's claim.
        Statement("“Engineers are still working on the problem.” (The Register)", ("article:2",), kind="impact"),
    ]
    assert claims(statements, brief(SILENT_VENDOR)) == []


def test_a_resolution_in_a_paragraph_about_earlier_incidents_does_not_contradict():
    history = SourceDoc(ref="article:4", kind="news", publisher="BleepingComputer", title="Cloudflare down again",
                        text=("Cloudflare's dashboard is failing to load for many users. Last year, a similar "
                              "outage was resolved after two hours."),
                        published_at=datetime(2025, 11, 18, 12, 0, tzinfo=UTC))
    found = claims([Statement("Cloudflare Dashboard has been reported down since 12:00 UTC on 18 Nov.",
                              ("article:4",))], brief(history))
    assert found == []


# --- workarounds ----------------------------------------------------------------------------------

def test_it_flags_a_workaround_that_gives_users_nothing_to_do():
    mitigation = Statement("Workaround: “As a mitigation, we rolled back the configuration change.” (GitHub status)",
                           ("update:1",), kind="workaround")
    monitoring = Statement("Workaround: “Alternatively, we will continue to monitor the recovery.” (GitHub status)",
                           ("update:1",), kind="workaround")
    found = claims([mitigation, monitoring], brief(ARS_CLOUDFLARE, vendor="GitHub"))
    assert [c.kind for c in found] == ["not_a_workaround", "not_a_workaround"]


def test_it_does_not_flag_a_real_workaround():
    statements = [
        # Google Cloud's own words (gcp-status-incidents-2022-07-03.json).
        Statement("Workaround: “Customers may retry the Composer creation operation.” (Google Cloud status)",
                  ("update:1",), kind="workaround"),
        Statement("Workaround: “Users can sign out and sign back in to restore access.” (Microsoft 365 Status)",
                  ("update:1",), kind="workaround"),
        Statement("Workaround: “In the meantime, customers can use the web client instead.” (Slack status)",
                  ("update:1",), kind="workaround"),
    ]
    assert claims(statements, brief(ARS_CLOUDFLARE)) == []


def test_a_wrong_role_claim_reads_as_incident_claim_and_why():
    scope = Statement("Affected: ChatGPT (Cloudflare).", ("article:1",), kind="scope")
    text = str(claims([scope], brief(ARS_CLOUDFLARE, services=CLOUDFLARE_SERVICES))[0])
    assert text.startswith('service owner: "ChatGPT" in "Affected: ChatGPT (Cloudflare)."')
    assert "OpenAI" in text
