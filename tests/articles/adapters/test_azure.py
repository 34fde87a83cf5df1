from datetime import UTC, datetime

import pytest

from articles.adapters import azure
from articles.items import AdapterError, ItemKind, VendorStatus

from . import read_fixture


@pytest.fixture(scope="module")
def items() -> list:
    return azure.parse(read_fixture("synthetic/azure-status-feed-synthetic.rss"))


def test_an_open_incident_is_investigating_and_names_its_regions(items):
    item = items[0]

    assert item.kind == ItemKind.STATUS
    assert item.title == "Azure Front Door \u2013 Connectivity issues"
    assert item.status == VendorStatus.INVESTIGATING
    assert item.components == ("Azure Front Door",)
    assert item.locations == ("West Europe", "North Europe")
    assert item.published_at == datetime(2024, 10, 9, 8, 30, 12, tzinfo=UTC)
    assert item.resolved_at is None
    assert item.updates[0].text.startswith("Impact Statement: Starting at 07:45 UTC on 09 Oct 2024")


def test_a_link_to_the_status_page_itself_does_not_identify_the_item(items):
    item = items[0]

    assert item.url == "https://azure.status.microsoft/en-us/status/"
    assert item.url_identifies is False
    assert item.external_id == "SYN1-AFD"  # the guid, though not a permalink
    assert item.vendor_incident_id == "SYN1-AFD"


def test_a_mitigated_incident_is_resolved_and_without_guid_is_identified_by_its_own_link(items):
    item = items[1]

    assert item.status == VendorStatus.RESOLVED
    assert item.resolved_at == datetime(2024, 10, 8, 3, 52, 40, tzinfo=UTC)
    assert item.url_identifies is True
    assert item.external_id == item.url == "https://azure.status.microsoft/en-us/status/history/?trackingid=SYN2-VMA"
    assert item.locations == ("East US 2",)
    assert item.vendor_incident_id == "SYN2-VMA"  # its link's tracking id


def test_a_post_incident_review_is_a_postmortem(items):
    item = items[2]

    assert item.status == VendorStatus.POSTMORTEM
    assert item.locations == ("UK South",)
    assert item.components == ("Azure Storage",)


def test_an_item_without_guid_or_own_link_gets_a_stable_id():
    body = b"""<rss version="2.0"><channel><title>Azure Status</title>
        <link>https://azure.status.microsoft/en-us/status/</link>
        <item><title>Azure DNS - Resolution failures</title><link>https://azure.status.microsoft/en-us/status/</link>
        <description>Engineers are investigating.</description><pubDate>Wed, 09 Oct 2024 08:30:12 Z</pubDate></item>
        </channel></rss>"""

    [first] = azure.parse(body)

    assert first.external_id.startswith("sha1:")
    assert first.vendor_incident_id == ""
    assert azure.parse(body)[0].external_id == first.external_id


def test_a_body_that_is_no_feed_is_an_adapter_error():
    with pytest.raises(AdapterError, match="not an RSS or Atom feed: the body is an HTML page"):
        azure.parse(b"<!doctype html><html><title>Azure status</title></html>")
