import pytest

from incidents.summaries.brief import ordinal, site_of


@pytest.mark.parametrize("number, written", [
    (1, "first"), (10, "tenth"), (11, "11th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (32, "32nd"),
    (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"), (122, "122nd"),
])
def test_ordinals_are_written_right_past_ten(number, written):
    assert ordinal(number) == written


@pytest.mark.parametrize("url, site", [
    ("https://arstechnica.com/gadgets/2025/10/aws-outage/", "arstechnica.com"),
    ("http://go.theregister.com/feed/www.theregister.co.uk/2019/07/31/x/", "theregister.com"),
    ("https://www.bbc.co.uk/news/technology-1", "bbc.co.uk"),
    ("", ""),
    ("not a url", ""),
])
def test_the_site_of_a_source_names_its_outlet(url, site):
    assert site_of(url) == site
