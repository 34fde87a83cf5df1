import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_BODY_CHARS, extract
from incidents.extraction.regions import GLOBAL, KINDS, cloud_region, descendants, expand, find_regions, kind_of

# The distinct `locations` of ../shared/eval/dev/gcp-status-incidents-2021-2022.jsonl (real
# Google Cloud incidents), copied so the test runs without ../shared.
GCP_LOCATIONS_2021_2022 = {
    "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1",
    "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "eu",
    "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3",
    "europe-west4", "europe-west6", "europe-west8", "europe-west9", "global", "northamerica-northeast1",
    "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us", "us-central1", "us-east1",
    "us-east4", "us-east5", "us-west1", "us-west2", "us-west3", "us-west4",
}
CATALOGUE = Catalogue.load_default()
PUBLISHED = datetime(2025, 10, 20, 15, 0, tzinfo=UTC)
GCP_EVAL_FILE = Path(__file__).resolve().parents[4] / "shared/eval/dev/gcp-status-incidents-2021-2022.jsonl"


def labels_in(text):
    return [mention.label for mention in find_regions(text)]


def test_a_search_for_frankfurt_finds_the_frankfurt_region_of_every_provider():
    assert descendants("Frankfurt") == {"aws:eu-central-1", "azure:germanywestcentral", "gcp:europe-west3"}


def test_expand_gives_the_label_and_every_region_that_contains_it():
    assert expand("aws:eu-central-1") == {
        "aws:eu-central-1", "Frankfurt", "Germany", "Western Europe", "Europe", "EMEA", "Global",
    }


def test_a_country_may_sit_in_several_macro_regions():
    assert {"North America", "LATAM", "Americas", GLOBAL} <= expand("Mexico")
    assert "gcp:northamerica-south1" in descendants("LATAM")
    assert "gcp:northamerica-south1" in descendants("North America")


def test_descendants_of_a_country_reach_down_to_its_cloud_regions():
    us_east = descendants("Virginia")
    assert {"Northern Virginia", "aws:us-east-1", "azure:eastus", "azure:eastus2", "gcp:us-east4"} <= us_east
    assert "aws:us-east-1" in descendants("United States")
    assert "aws:us-east-1" in descendants(GLOBAL)


def test_unknown_labels_have_no_family():
    assert expand("Narnia") == set()
    assert descendants("Narnia") == set()
    assert kind_of("Narnia") is None


def test_every_label_reaches_global_and_has_a_known_kind():
    every_label = descendants(GLOBAL) | {GLOBAL}
    assert len(every_label) > 300
    for label in every_label:
        assert GLOBAL in expand(label), label
        assert kind_of(label) in KINDS, label


def test_every_single_cloud_region_lies_in_exactly_one_country():
    multi_regions = {"gcp:us", "gcp:eu", "gcp:asia"}
    for label in descendants(GLOBAL):
        if kind_of(label) == "cloud_region" and label not in multi_regions:
            countries = [parent for parent in expand(label) if kind_of(parent) == "country"]
            assert len(countries) == 1, (label, countries)


@pytest.mark.parametrize("location", sorted(GCP_LOCATIONS_2021_2022))
def test_every_gcp_location_in_the_recorded_incidents_maps_to_a_label(location):
    label = cloud_region("gcp", location)
    assert label is not None
    assert GLOBAL in expand(label)


@pytest.mark.skipif(not GCP_EVAL_FILE.exists(), reason="../shared/eval is not on this machine; ids are copied above")
def test_the_copied_gcp_locations_are_those_of_the_recorded_incidents():
    with GCP_EVAL_FILE.open(encoding="utf-8") as rows:
        recorded = {location for row in rows for location in json.loads(row).get("locations") or ()}
    assert recorded == GCP_LOCATIONS_2021_2022


@pytest.mark.parametrize(
    ("provider", "location", "label"),
    [
        ("aws", "us-east-1", "aws:us-east-1"),
        ("aws", "US East (N. Virginia)", "aws:us-east-1"),
        ("azure", "East US", "azure:eastus"),
        ("azure", "eastus", "azure:eastus"),
        ("azure", "Germany West Central", "azure:germanywestcentral"),
        ("gcp", "europe-west3", "gcp:europe-west3"),
        ("gcp", "global", GLOBAL),
        ("gcp", "eu", "gcp:eu"),
        ("aws", "europe-west3", None),
        ("oracle", "us-ashburn-1", None),
    ],
)
def test_cloud_region_reads_a_providers_own_location_names(provider, location, label):
    assert cloud_region(provider, location) == label


def test_it_finds_the_countries_in_the_aws_outage_report():
    # Ars Technica, 2025-10-24, "A single point of failure triggered the Amazon outage affecting millions"
    text = "The three biggest countries where reports originated were the US, the UK, and Germany."
    assert labels_in(text) == ["United States", "United Kingdom", "Germany"]


def test_it_finds_places_in_the_crowdstrike_outage_report():
    # Ars Technica, 2024-07-19, "Major outages at CrowdStrike, Microsoft leave the world with BSODs and confusion"
    text = (
        "The problems started in Australia and followed the dateline from there. TV networks, 911 call centers, "
        "and even the Paris Olympics were affected. Banks and financial systems in India, South Africa, Thailand, "
        "and other countries fell as computers suddenly crashed. The outages took down not only Starbucks mobile "
        "ordering, but also a single motel in Laramie, Wyoming."
    )
    assert labels_in(text) == ["Australia", "Paris", "India", "South Africa", "Thailand", "Wyoming"]


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        # GitHub status, 2022-03-26 and 2024-07-30
        ("We are investigating reports of degraded performance for Codespaces in the following region: WestEurope",
         ["azure:westeurope"]),
        ("the Codespaces service was degraded in the UK South and West Europe regions.",
         ["azure:uksouth", "azure:westeurope"]),
        ("a virtual network within the East US 2 region", ["azure:eastus2"]),
        ("Copilot completions are currently hosted in 4 regions globally: Central US, France, Switzerland and Japan.",
         [GLOBAL, "azure:centralus", "France", "Switzerland", "Japan"]),
        ("From 17:39-18:12 UTC GitHub was down in parts of North America, particularly the US East coast, "
         "and South America.", ["North America", "United States", "South America"]),
        ("up to 25% of unauthenticated dotcom traffic in SE Asia", ["Southeast Asia"]),
        # Google Cloud, 2022
        ("Customers connecting from Mexico and Central America may experience issues", ["Mexico", "Central America"]),
        ("affected locations: Frankfurt (europe-west3), Tokyo (asia-northeast1)",
         ["Frankfurt", "gcp:europe-west3", "Tokyo", "gcp:asia-northeast1"]),
        # AWS's own names, and ids in any case
        ("Increased error rates in US East (N. Virginia) and Europe (Frankfurt)",
         ["aws:us-east-1", "aws:eu-central-1"]),
        ("EC2 in US-EAST-1 and us-west-2", ["aws:us-east-1", "aws:us-west-2"]),
        ("Asia Pacific (Tokyo) and the wider Asia Pacific market", ["aws:ap-northeast-1", "APAC"]),
        ("Azure Germany West Central and Azure westeurope", ["azure:germanywestcentral", "azure:westeurope"]),
        ("U.S.-based customers and Germany's banks", ["United States", "Germany"]),
        ("EMEA, LATAM and Western Europe", ["EMEA", "LATAM", "Western Europe"]),
    ],
)
def test_it_finds_regions_as_status_pages_and_reporters_write_them(text, labels):
    assert labels_in(text) == labels


def test_a_mention_keeps_its_kind_and_the_text_as_written():
    (mention,) = find_regions("outage in the U.S. today")
    assert (mention.label, mention.kind, mention.text) == ("United States", "country", "U.S.")


@pytest.mark.parametrize(
    "text",
    [
        "let us know; the US/Pacific time zone; locale en-US",  # "us" is a word; US/Pacific a zone
        "IN OR ME",  # state abbreviations are never read as states
        "Georgia, Jordan and Chad joined the call.",  # names, not places, in outage news
        "customers east of the US border",  # no "East US"
        "Amazon Global Accelerator and Bank of America",
        "the eu-west-1a zone, ec2.us-east-1.amazonaws.com and /regions/us-east-1/",  # a zone, a host, a path
        "Indiana and Womankind",  # a longer word is not the country inside it
    ],
)
def test_it_avoids_false_positives(text):
    assert labels_in(text) == (["United States"] if "east of the US" in text else [])


def test_the_longer_of_two_overlapping_names_wins():
    assert labels_in("West Virginia and New Mexico") == ["West Virginia", "New Mexico"]
    assert labels_in("US East (Ohio)") == ["aws:us-east-2"]


def test_each_label_is_reported_once_in_order_of_first_mention():
    assert labels_in("Japan, then Germany, then Japan and the Japanese market") == ["Japan", "Germany"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "AWS outage",  # a title only
        "Störung bei Microsoft 365: Nutzer in Deutschland können keine E-Mails senden.",
        "東京リージョンで障害が発生しています",
        "Outage in&nbsp;Frankfurt<br>and <b>Japan</b> &amp; more</p>",
    ],
)
def test_bad_input_gives_a_sane_answer(text):
    assert all(GLOBAL in expand(label) for label in labels_in(text))


def test_html_remnants_do_not_hide_names():
    assert labels_in("Outage in&nbsp;Frankfurt<br>and <b>Japan</b>") == ["Frankfurt", "Japan"]


def test_a_megabyte_body_is_read_only_up_to_the_extraction_bound():
    # The finders are given what extract reads: at most MAX_BODY_CHARS of the body, whatever its size.
    report = ("The three biggest countries where reports originated were the US, the UK, and Germany. Snapchat, AWS, "
              "and Roblox were the most reported services affected, and us-east-1 was the region at fault. ")
    past_the_bound = "Users in Japan and in eu-west-1 were hit too."
    body = report * (1_000_000 // len(report)) + past_the_bound
    facts = extract("AWS outage", body, PUBLISHED, CATALOGUE)
    assert facts == extract("AWS outage", body[:MAX_BODY_CHARS], PUBLISHED, CATALOGUE)
    assert facts.region_labels == ["United States", "United Kingdom", "Germany", "aws:us-east-1"]
    assert labels_in(past_the_bound) == ["Japan", "aws:eu-west-1"]


@pytest.mark.parametrize(
    "text",
    ["us-" * 200_000, "a" * 1_000_000, "West " * 40_000, "1.2.3.4." * 100_000],
    ids=["hyphens", "one-long-word", "one-word-repeated", "digits-and-dots"],
)
def test_hostile_input_names_no_region(text):
    assert labels_in(text) == []
