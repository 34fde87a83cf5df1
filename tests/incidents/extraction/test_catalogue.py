"""The catalogue of vendors and services, and the matcher that finds them in text."""

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from incidents.extraction.catalogue import Catalogue, CatalogueError, EntityMatch

TECHNEWS = Path(__file__).resolve().parents[2] / "fixtures" / "technews"
# Headlines below are copied from the feeds, which write apostrophes as \u2019.


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load_default()


def small_catalogue(**changes) -> dict:
    """A valid catalogue in the shape of catalogue.json, with `changes` replacing top-level fields."""
    data = {
        "vendors": [
            {"slug": "microsoft", "name": "Microsoft", "aliases": ["MSFT"], "status_page_url": "https://status.cloud.microsoft/",
             "description": "Maker of Windows"},
        ],
        "services": [
            {"slug": "microsoft-teams", "vendor": "microsoft", "name": "Microsoft Teams", "aliases": ["Teams"],
             "description": "Chat", "requires": "vendor", "case_sensitive": True},
        ],
    }
    return {**data, **changes}


# --- the shipped file ---------------------------------------------------------------------------------


def test_the_shipped_file_validates_and_has_enough_real_entries(catalogue):
    data = Catalogue.read_data()
    assert len(data["vendors"]) == len(catalogue.vendors) >= 80
    assert len(data["services"]) == len(catalogue.services) >= 250
    assert data["_about"]


def test_every_shipped_entry_has_a_description_and_an_https_status_page_or_none(catalogue):
    for entry in [*catalogue.vendors, *catalogue.services]:
        assert entry.description.strip(), entry.slug
    for vendor in catalogue.vendors:
        assert vendor.status_page_url == "" or vendor.status_page_url.startswith("https://"), vendor.slug


def test_vendor_and_service_lookups_return_the_entries_with_their_status_page(catalogue):
    assert catalogue.vendor("aws").status_page_url == "https://health.aws.amazon.com/health/status"
    exchange = catalogue.service("exchange-online")
    assert exchange.vendor == "microsoft"
    assert exchange.description.startswith("Microsoft's hosted email service")
    assert exchange.status_page_url == catalogue.vendor("microsoft").status_page_url
    with pytest.raises(KeyError):
        catalogue.vendor("no-such-vendor")


# --- names and aliases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("M365 sign-ins are failing", "microsoft-365"),
        ("O365 is down", "microsoft-365"),
        ("Office 365 outage", "microsoft-365"),
        ("EXO mailboxes are delayed", "exchange-online"),
        ("Azure AD token errors", "microsoft-entra-id"),
        ("Route 53 resolution failures", "amazon-route-53"),
        ("GKE control plane errors", "google-kubernetes-engine"),
    ],
)
def test_aliases_resolve_to_their_service(catalogue, text, service):
    assert catalogue.services_in(text) == [service]


def test_a_match_reports_the_canonical_name_and_the_text_as_written(catalogue):
    text = "Users of AWS\u2019s console saw errors"
    assert catalogue.match(text) == [
        EntityMatch(kind="vendor", slug="aws", vendor_slug="aws", name="Amazon Web Services", alias="AWS",
                    start=9, end=12),
    ]


def test_the_longest_name_wins(catalogue):
    assert catalogue.services_in("Exchange Online is degraded, Microsoft says") == ["exchange-online"]
    storage = catalogue.match("Google Cloud Storage returned errors")
    assert [(m.kind, m.slug, m.alias) for m in storage] == [("service", "cloud-storage", "Google Cloud Storage")]
    assert catalogue.vendors_in("Google Cloud Storage returned errors") == ["google-cloud"]
    assert catalogue.vendors_in("Microsoft Azure is down") == ["azure"]


def test_names_match_whole_words_only(catalogue):
    assert catalogue.match("EXOTIC pets") == []
    assert catalogue.match("The S34 bus") == []
    assert catalogue.match("Visit 1.1.1.10 instead") == []
    assert catalogue.services_in("Use 1.1.1.1 as resolver") == ["1-1-1-1"]


def test_punctuation_inside_names_and_words_does_not_break_matching(catalogue):
    assert catalogue.vendors_in("AWS's us-east-1 region and AWS-hosted apps") == ["aws"]
    assert catalogue.services_in("Outlook.com users cannot sign in") == ["outlook-com"]
    assert catalogue.services_in("Google Cloud Pub/Sub backlog") == ["cloud-pub-sub"]
    assert catalogue.vendors_in("Let\u2019s Encrypt and T-Mobile\u2019s network") == ["lets-encrypt", "t-mobile"]


def test_a_comma_between_two_names_stops_a_match_running_across_them(catalogue):
    assert catalogue.vendors_in("Google, Cloudflare and AWS") == ["google", "cloudflare", "aws"]


# --- ambiguous words ----------------------------------------------------------------------------------


def test_an_ordinary_word_is_not_a_service(catalogue):
    assert catalogue.match("the teams were working through the night") == []
    assert catalogue.match("Outlook for the economy remains gloomy") == []


def test_a_service_that_requires_its_vendor_counts_when_the_vendor_is_named_anywhere(catalogue):
    assert catalogue.services_in("Microsoft Teams is down") == ["microsoft-teams"]
    assert catalogue.services_in("Teams is down for many users, Microsoft said") == ["microsoft-teams"]
    assert catalogue.services_in("Outlook and Teams fail to load, according to Microsoft") == [
        "microsoft-outlook", "microsoft-teams",
    ]


def test_a_service_of_the_vendor_names_the_vendor_too(catalogue):
    assert catalogue.services_in("EC2 instances and Lambda functions failed") == ["amazon-ec2", "aws-lambda"]


def test_ambiguous_services_do_not_vouch_for_each_other(catalogue):
    assert catalogue.match("Teams and Outlook are slow today") == []


def test_a_shared_word_goes_to_the_vendor_that_is_named(catalogue):
    assert catalogue.services_in("Pages builds are failing, GitHub says") == ["github-pages"]
    assert catalogue.services_in("Cloudflare says Pages deployments are delayed") == ["cloudflare-pages"]
    assert catalogue.services_in("Copilot is unavailable, Microsoft confirmed") == ["microsoft-copilot"]


def test_a_name_that_contains_its_vendor_needs_no_other_mention_and_any_case(catalogue):
    assert catalogue.services_in("GitHub Actions runs are queued") == ["github-actions"]
    assert catalogue.services_in("Microsoft teams outage") == ["microsoft-teams"]
    assert catalogue.services_in("Azure Front Door misconfiguration") == ["azure-front-door"]


def test_bare_amazon_is_aws_while_amazon_consumer_products_are_amazon_retail(catalogue):
    assert catalogue.vendors_in("Amazon outage takes down thousands of websites") == ["aws"]
    assert catalogue.vendors_in("Amazon Alexa stops responding") == ["amazon-retail"]


# --- case ---------------------------------------------------------------------------------------------


def test_a_case_sensitive_name_matches_only_as_written(catalogue):
    assert catalogue.services_in("Microsoft says Teams is back") == ["microsoft-teams"]
    assert catalogue.services_in("Microsoft says TEAMS is back") == []


def test_text_all_in_lower_case_is_not_a_name_written_with_capitals(catalogue):
    assert catalogue.match("cut them some slack, zoom in on windows and meta-analysis") == []
    assert catalogue.vendors_in("Slack is down") == ["slack"]
    assert catalogue.vendors_in("SLACK DOWN AGAIN") == ["slack"]
    assert catalogue.vendors_in("crowdstrike and Crowdstrike") == ["crowdstrike"]


def test_a_name_written_in_lower_case_matches_in_any_case(catalogue):
    assert catalogue.vendors_in("High-Value NPM Developers Compromised") == ["npm"]
    assert catalogue.vendors_in("npm registry slow") == ["npm"]


# --- vendors and services in a text -------------------------------------------------------------------


def test_a_service_implies_its_vendor_and_vendors_come_in_order_of_first_mention(catalogue):
    assert catalogue.vendors_in("Gmail is down; AWS is fine; Google confirmed") == ["google", "aws"]
    assert catalogue.services_in("Gmail is down; AWS is fine; Google confirmed") == ["gmail"]


def test_nothing_is_found_in_text_without_names(catalogue):
    assert catalogue.match("") == []
    assert catalogue.vendors_in("Coal-filled trains are likely sending people to the hospital") == []


def headlines() -> dict[str, str]:
    """Every item title in the recorded tech-news feeds."""
    titles = {}
    for path in sorted(TECHNEWS.glob("*.rss")):
        for title in ET.parse(path).getroot().iter("title"):
            titles[(title.text or "").strip()] = path.name
    return titles


@pytest.mark.parametrize(
    ("headline", "vendors"),
    [
        ("Widespread Cloudflare outage blamed on mysterious traffic spike", ["cloudflare"]),
        ("Massive Cloudflare outage was triggered by file that suddenly doubled in size", ["cloudflare"]),
        ("Major outages at CrowdStrike, Microsoft leave the world with BSODs and confusion",
         ["crowdstrike", "microsoft"]),
        ("A single point of failure triggered the Amazon outage affecting millions", ["aws"]),
        ("Hackers breach Toptal GitHub account, publish malicious npm packages", ["github", "npm"]),
        ("Microsoft: SharePoint flaws exploited in Warlock ransomware attacks", ["microsoft"]),
        ("OpenAI confirms ChatGPT Agent is now rolling out for $20 Plus users", ["openai"]),
        ("Hacker sneaks infostealer malware into early access Steam game", ["valve"]),
        ("FCC blasts T-Mobile\u2019s 365-day phone locking, proposes 60-day unlock rule", ["t-mobile"]),
        ("Google Launches Native Gmail App For iPhone, iPad and iPod Touch, Faces Instant Backlash", ["google"]),
        ("He got sued for sharing public YouTube videos; nightmare ended in settlement", ["google"]),
        # Ordinary words that are also names: Atlas, R2, Falcon, X.
        ("NASA really wants you to know that 3I/ATLAS is an interstellar comet", []),
        ("Rivian is settling $250 million lawsuit to focus on next year\u2019s R2 EV", []),
        ("Rocket Report: China tests Falcon 9 lookalike; NASA\u2019s Moon rocket fully stacked", []),
        ("Elon Musk\u2019s X tests letting users request Community Notes on bad posts", []),
    ],
)
def test_vendors_in_real_headlines(catalogue, headline, vendors):
    assert headline in headlines()
    assert catalogue.vendors_in(headline) == vendors


def test_services_in_a_real_article_body(catalogue):
    body = (
        "The outage that hit Amazon Web Services and took out vital services worldwide was the result of a single "
        "failure. Amazon said the root cause of the outage was a software bug in software running the DynamoDB DNS "
        "management system."
    )
    assert catalogue.vendors_in(body) == ["aws"]
    assert catalogue.services_in(body) == ["amazon-dynamodb"]


def test_a_megabyte_of_text_is_matched_in_one_pass(catalogue):
    words = ["outage", "the", "servers", "us-east-1", "a.b.c", "x/y", "it's", "Google", "Cloud", "teams"]
    rng = random.Random(7)
    text = " ".join(rng.choice(words) for _ in range(160_000)) + " AWS"
    assert len(text) > 1_000_000
    assert catalogue.vendors_in(text)[-1] == "aws"
    assert catalogue.match("a." * 500_000) == []


# --- bad data -----------------------------------------------------------------------------------------


def test_data_shaped_like_the_database_copy_builds_a_catalogue():
    catalogue = Catalogue.from_data(small_catalogue())
    assert catalogue.services_in("Teams is down, MSFT says") == ["microsoft-teams"]


def test_bad_data_gives_one_readable_error_listing_every_problem():
    data = small_catalogue(
        vendors=[
            {"slug": "microsoft", "name": "Microsoft", "aliases": ["Teams"]},
            {"slug": "microsoft", "name": "Microsoft again"},
            {"slug": "empty", "name": "  "},
        ],
        services=[
            {"slug": "microsoft-teams", "vendor": "microsoft", "name": "Microsoft Teams", "aliases": ["teams"]},
            {"slug": "exchange", "vendor": "microsft", "name": "Exchange", "requires": "brand"},
            {"slug": "outlook", "vendor": "microsoft", "name": "Outlook", "alias": ["OWA"]},
        ],
    )
    with pytest.raises(CatalogueError) as error:
        Catalogue.from_data(data)
    message = str(error.value)
    assert "6 problem(s)" in message
    assert 'vendor #2 "microsoft": slug already used by an earlier vendor' in message
    assert 'vendor #3 "empty": name is empty' in message
    assert 'service #2 "exchange": vendor "microsft" is not the slug of a vendor in the catalogue' in message
    assert 'service #2 "exchange": requires must be "vendor"' in message
    assert "service #3 \"outlook\": unknown field 'alias'" in message
    assert '"teams" names both vendor "microsoft" and service "microsoft-teams"' in message


def test_a_bad_file_names_itself_and_the_place_of_the_error(tmp_path):
    broken = tmp_path / "catalogue.json"
    broken.write_text('{"vendors": [}', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"catalogue\.json: not valid JSON: .* line 1, column 14"):
        Catalogue.read_data(broken)

    unknown_vendor = tmp_path / "unknown.json"
    data = small_catalogue(services=[{"slug": "s3", "vendor": "aws", "name": "S3"}])
    unknown_vendor.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r'unknown\.json: 1 problem\(s\):\n  - service #1 "s3": vendor "aws"'):
        Catalogue.read_data(unknown_vendor)


def test_a_vendor_is_found_by_its_name_without_the_parenthesis_only_as_written():
    catalogue = Catalogue.from_data({"vendors": [
        {"slug": "quokka", "name": "Q (Quokka)", "aliases": [], "status_page_url": "", "description": "A network."},
        {"slug": "wallaby", "name": "Wallaby", "aliases": [], "status_page_url": "", "description": "A store."},
    ], "services": []})
    assert catalogue.vendor_by_short_name("Q") == "quokka"
    assert catalogue.vendor_by_short_name("q") is None  # a lower-case letter is a letter
    assert catalogue.vendor_by_short_name("Wallaby") is None  # no parenthesis: its name is matched as usual
    assert catalogue.match("Q is down") == []  # never matched in running text
