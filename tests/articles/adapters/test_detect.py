import pytest

from articles.adapters import ADAPTERS, detect_kind
from articles.items import AdapterError
from tests.fixture_folders import CRAFTED

from . import FIXTURES, read_fixture

# Every recorded payload and the kind it must be detected as.
EXPECTED_KINDS = {
    "aws/aws-status-all-rss-2023-02-13-extracted.rss": "aws_rss",
    "aws/aws-status-legacy-data-json-2022-07.json": "aws_json",
    "gcp/gcp-status-incidents-2022-07-03.json": "gcp",
    "slack/slack-status-v2-current-active-2020-07-30.json": "slack",
    "statusio/docker-statusio-public-status-partial-2020-07-16.json": "statusio",
    "statusio/gitlab-statusio-public-status-maintenance-2020-09-05.json": "statusio",
    "statusio/gitlab-statusio-public-status-security-2020-02-09.json": "statusio",
    "statuspage/cloudamqp-summary-maintenance-2020-07-16.json": "statuspage",
    "statuspage/digitalocean-history-2020-01-11.rss": "statuspage_feed",
    "statuspage/digitalocean-history-2020-01-13.atom": "statuspage_feed",
    "statuspage/emma-incidents-2019-02-21-extracted.json": "statuspage",
    "statuspage/githubstatus-history-2019-11-22.atom": "statuspage_feed",
    "statuspage/metastatuspage-atlassian-history-2019-11-23.atom": "statuspage_feed",
    "statuspage/parse-history-2014-01-09.rss": "statuspage_feed",
    "statuspage/streamyard-history-2024-06-10.atom": "statuspage_feed",
    "statuspage/streamyard-history-2024-06-10.rss": "statuspage_feed",
    "statuspage/symantec-wss-history-2020-01-02.atom": "statuspage_feed",
    "statuspage/twilio-summary-incidents-2020-06-16.json": "statuspage",
    "synthetic/aws-health-currentevents-synthetic.json": "aws_json",
    "synthetic/azure-status-feed-synthetic.rss": "azure",
    "synthetic/slack-status-v2-history-synthetic.json": "slack",
    "technews/arstechnica-feed-2019-08-06-trimmed.rss": "feed",
    "technews/arstechnica-feed-2024-07-20-crowdstrike-outage.rss": "feed",
    "technews/arstechnica-feed-2025-10-25-aws-outage.rss": "feed",
    "technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss": "feed",
    "technews/arstechnica-feed-2025-11-20-cloudflare-outage-rca.rss": "feed",
    "technews/bleepingcomputer-feed-2025-07-24.rss": "feed",
    "technews/cloudflare-blog-2021-10-15.rss": "feed",
    "technews/securityweek-feed-2025-07-24.rss": "feed",
    "technews/techcrunch-feed-2011-11-02.rss": "feed",
    "technews/theregister-science-2019-07-31-trimmed.atom": "feed",
}


def test_every_fixture_has_an_expected_kind():
    payloads = {path.relative_to(FIXTURES).as_posix() for path in FIXTURES.rglob("*")
                if path.is_file() and path.relative_to(FIXTURES).parts[0] not in CRAFTED}

    assert payloads - {"SOURCES.md"} == EXPECTED_KINDS.keys()


@pytest.mark.parametrize(("fixture", "kind"), EXPECTED_KINDS.items())
def test_it_detects_each_fixture_by_its_content_alone(fixture, kind):
    assert detect_kind(read_fixture(fixture)) == kind


@pytest.mark.parametrize(("fixture", "kind"), EXPECTED_KINDS.items())
def test_the_detected_adapter_reads_the_fixture(fixture, kind):
    assert ADAPTERS[kind].parse(read_fixture(fixture), url="", content_type="")


def test_a_statuspage_history_feed_wins_over_the_generic_feed():
    body = read_fixture("statuspage/githubstatus-history-2019-11-22.atom")

    assert ADAPTERS["statuspage_feed"].sniff(body) > ADAPTERS["feed"].sniff(body) > 0


def test_the_url_breaks_the_tie_for_a_feed_that_does_not_say_what_it_is():
    plain = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Status</title></channel></rss>'

    assert detect_kind(plain) == "feed"
    assert detect_kind(plain, url="https://status.example.com/history.atom") == "statuspage_feed"
    assert detect_kind(plain, url="https://status.aws.amazon.com/rss/ec2-us-east-1.rss") == "aws_rss"
    assert detect_kind(plain, url="https://azure.status.microsoft/en-us/status/feed/") == "azure"


def test_a_url_alone_does_not_make_a_payload_a_feed():
    with pytest.raises(AdapterError):
        detect_kind(b"<html><body>status</body></html>", url="https://status.example.com/history.atom")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<!DOCTYPE html><html><head><title>GitHub Status</title></head><body></body></html>",
        b"\x00\x9c\xff garbage \x13",
        b'{"hello": "world"}',
        b"[]",
        b"[1, 2, 3]",
    ],
    ids=["empty", "html", "garbage", "unknown-json-object", "empty-array", "array-of-numbers"],
)
def test_a_payload_no_adapter_recognises_is_an_adapter_error(body):
    with pytest.raises(AdapterError, match="could not tell what kind of source this is"):
        detect_kind(body)


@pytest.mark.parametrize("kind", list(ADAPTERS))
def test_every_sniffer_scores_within_0_to_100_and_never_raises(kind):
    sniff = ADAPTERS[kind].sniff
    for fixture in EXPECTED_KINDS:
        assert 0 <= sniff(read_fixture(fixture)) <= 100
    for body in (b"", b"\xff\xfe", b"{", b"<", b"\x00" * 10):
        assert 0 <= sniff(body) <= 100
