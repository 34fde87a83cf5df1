import pytest

from articles.canonical import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://WWW.Example.com:443/a?utm_source=rss&utm_medium=feed#comments", "https://www.example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3", "https://example.com/a"),
        ("https://example.com/story?id=42&page=2&utm_campaign=x", "https://example.com/story?id=42&page=2"),
        ("https://example.com/story?page=2&id=42", "https://example.com/story?id=42&page=2"),
        ("https://arstechnica.com/?p=2023", "https://arstechnica.com/?p=2023"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_it_drops_trackers_and_fragments_but_keeps_content_parameters(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/news/outage/amp/",
        "https://www.example.com/news/outage/amp",
        "https://www.example.com/amp/news/outage",
        "https://www.example.com/news/outage?amp=1",
        "https://www.example.com/news/outage?outputType=amp",
        "https://amp.example.com/news/outage",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/outage",
    ],
)
def test_it_folds_amp_variants_into_the_page_they_copy(url):
    expected = "https://example.com/news/outage" if "//amp." in url else "https://www.example.com/news/outage"
    assert canonical_url(url) == expected


def test_it_leaves_non_http_urls_alone():
    assert canonical_url(" urn:uuid:1234 ") == "urn:uuid:1234"
    assert canonical_url("") == ""
