from datetime import UTC, datetime

import pytest

from articles.adapters import aws_rss
from articles.items import AdapterError, ItemKind, VendorStatus

from . import read_fixture


def aws_feed(*items: tuple[str, str, str]) -> bytes:
    """(title, pubDate, guid) items in the shape of the AWS Health Dashboard RSS."""
    body = "".join(
        f"<item><title><![CDATA[{title}]]></title><link>http://status.aws.amazon.com/</link>"
        f"<pubDate>{date}</pubDate><guid isPermaLink=\"false\">{guid}</guid>"
        f"<description><![CDATA[We are investigating.]]></description></item>"
        for title, date, guid in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title><![CDATA[Amazon Elastic Compute Cloud (N. Virginia) Service Status]]></title>"
        f"<link>http://status.aws.amazon.com/</link>{body}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def all_rss() -> list:
    return aws_rss.parse(read_fixture("aws/aws-status-all-rss-2023-02-13-extracted.rss"))


def test_it_converts_pst_times_to_utc(all_rss):
    resolved, informational = all_rss

    assert resolved.published_at == datetime(2023, 2, 10, 23, 48, tzinfo=UTC)  # Fri, 10 Feb 2023 15:48:00 PST
    assert informational.published_at == datetime(2023, 2, 2, 22, 19, 24, tzinfo=UTC)


def test_it_converts_pdt_times_to_utc():
    body = aws_feed(("Service disruption: Increased API error rates", "Thu, 19 Oct 2023 12:26:48 PDT",
                     "http://status.aws.amazon.com/#ec2-us-east-1_1697743608"))

    [item] = aws_rss.parse(body)

    assert item.published_at == datetime(2023, 10, 19, 19, 26, 48, tzinfo=UTC)


def test_a_resolved_post_is_resolved_and_titled_without_its_state_prefix(all_rss):
    item = all_rss[0]

    assert item.kind == ItemKind.STATUS
    assert item.title == "Connectivity issues affecting some instances"
    assert item.status == VendorStatus.RESOLVED
    assert item.resolved_at == item.published_at
    assert item.impact == ""
    assert item.updates[0].vendor_status == "Service is operating normally"
    assert item.updates[0].text.startswith("Between 11:18 AM and 2:44 PM PST, some Amazon Aurora PostgreSQL")


def test_the_guid_identifies_and_the_link_does_not(all_rss):
    item = all_rss[0]

    assert item.external_id == "http://status.aws.amazon.com/#rds-us-east-1_1676072880"
    assert item.url == "http://status.aws.amazon.com/"
    assert item.url_identifies is False


def test_the_service_and_region_come_from_the_guid(all_rss):
    regional, global_service = all_rss

    assert (regional.components, regional.locations) == (("rds",), ("us-east-1",))
    assert (global_service.components, global_service.locations) == (("billingconsole",), ())


def test_an_informational_message_is_an_update_with_its_impact(all_rss):
    item = all_rss[1]

    assert item.title == "Increased error rates when accessing Cost Explorer, Budgets, and Cost and Usage Reports"
    assert item.status == VendorStatus.UPDATE
    assert item.impact == "informational message"
    assert item.resolved_at is None


def test_disruptions_and_performance_issues_are_open_until_resolved():
    body = aws_feed(
        ("Service disruption: Increased API error rates", "Thu, 19 Oct 2023 12:26:48 PDT", "g1"),
        ("Performance issues: Elevated latencies", "Thu, 19 Oct 2023 12:40:00 PDT", "g2"),
        ("Performance issues: [RESOLVED] Elevated latencies", "Thu, 19 Oct 2023 13:40:00 PDT", "g3"),
    )

    disruption, performance, resolved = aws_rss.parse(body, url="https://status.aws.amazon.com/rss/ec2-us-east-1.rss")

    assert (disruption.status, disruption.impact) == (VendorStatus.INVESTIGATING, "service disruption")
    assert (performance.status, performance.impact) == (VendorStatus.INVESTIGATING, "performance issues")
    assert (resolved.status, resolved.title) == (VendorStatus.RESOLVED, "Elevated latencies")
    # A guid without a slug: the per-service feed's URL names the service and region.
    assert (disruption.components, disruption.locations) == (("ec2",), ("us-east-1",))


def test_a_body_that_is_no_feed_is_an_adapter_error():
    with pytest.raises(AdapterError, match="not an RSS or Atom feed"):
        aws_rss.parse(b"<html><body>AWS Health Dashboard</body></html>")
