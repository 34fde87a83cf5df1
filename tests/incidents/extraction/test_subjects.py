"""incidents.subjects: whose outage a headline reports, from the grammar of headlines.

Every headline here is made up (services real and invented alike): the extractor must not know names.
"""

import pytest

from incidents.extraction.subjects import find_subject, same_subject, subject_key


@pytest.mark.parametrize(
    ("headline", "subject", "pattern"),
    [
        ("Spotify is down", "Spotify", "<name> is down"),
        ("Zyntrix's down", "Zyntrix", "<name>'s down"),
        ("Quillbox Down: Note-taking App Hit by Outage", "Quillbox", "<name> down"),
        ("It's not just you: Plinko Chat is down for many users", "Plinko Chat", "<name> is down"),
        ("Frobnicator Has Been Down Since Tuesday Night", "Frobnicator", "<name> is down"),
        ("Fortnite crashes again", "Fortnite", "<name> crashes"),
        ("Bluesky goes dark for two hours", "Bluesky", "<name> goes dark"),
        ("Twitch back online after three-hour outage", "Twitch", "<name> back online"),
        ("Outage hits Mastodon as users flock to the app", "Mastodon", "outage hits <name>"),
        ("Helldivers 2 servers struggling as players flood in", "Helldivers 2", "<name> servers struggling"),
        ("Super Bowl stream crashes Tubi", "Tubi", "<event> crashes <name>"),
        ("Is Reddit down? Users report problems", "Reddit", "Is <name> down?"),
        ("Is Grobble down for you? Here's what we know", "Grobble", "Is <name> down?"),
        ("Massive Vexor Cloud outage knocks out banks and airlines", "Vexor Cloud", "<name> outage"),
        ("Blorp: DNS outage impacts Zenmail and Zencal", "Zenmail", "outage hits <name>"),
        ("Qwerty hit by 'massive cyberattack' as thousands report outages", "Qwerty", "<name> hit by outage"),
        ("Pingpal is having some issues right now", "Pingpal", "<name> suffers outage"),
        ("Moxie has been up and down all day", "Moxie", "<name> up and down"),
        ("Here's how to fix Castbox authentication errors", "Castbox", "<name> login errors"),
        ("Arc Nova Players Blasted With Lost Server Connections", "Arc Nova", "<name> users report"),
        ("Major outages at Snapfeed leave users stranded", "Snapfeed", "outage at <name>"),
        ("Google's 12-year-old Streamstick is busted, but a fix is coming", "Streamstick", "<name> not working"),
        ("Pokémon Go still down for iOS users", "Pokémon Go", "<name> down"),
        ("Cloudly 1.1.1.1 incident on July 14", "Cloudly 1.1.1.1", "<name> outage"),
        ("4chan Has Been Down Since Monday", "4chan", "<name> is down"),
    ],
)
def test_it_finds_the_subject_of_an_outage_headline(headline, subject, pattern):
    found = find_subject(headline)
    assert found is not None
    assert (found.name, found.pattern) == (subject, pattern)


def test_the_owner_of_the_outage_wins_over_its_victims():
    assert find_subject("Massive Azura outage knocks out Xbax and Office").name == "Azura"


@pytest.mark.parametrize(
    "headline",
    [
        "Apple unveils new iPhone with a faster chip",
        "Lucid CEO Steps Down As EV Maker Plans To Double Production",
        "Tesla stock down 5% after earnings",
        "Power outage hits Spain and Portugal",
        "California to manage power outages with AI",
        "Having problems connecting online? You're not alone",
        "Servers down across the region",
        "",
    ],
)
def test_it_finds_no_subject_where_the_headline_names_no_service(headline):
    assert find_subject(headline) is None


def test_the_body_first_sentence_is_read_when_the_headline_names_nothing():
    found = find_subject("Having problems? You're not alone", "Zyntrix is down for thousands of users. More to come.")
    assert found is not None
    assert (found.name, found.pattern) == ("Zyntrix", "body: <name> is down")


def test_only_the_body_first_sentence_counts():
    assert find_subject("Weekend reading", "A long essay about networks. Zyntrix is down for many.") is None


def test_a_huge_headline_costs_what_a_short_one_does():
    # Structural: the title is cut before the patterns run, so what lies past the cut is never read.
    padding = "word " * 200_000
    assert find_subject(padding + "Zyntrix is down") is None
    assert find_subject("Zyntrix is down " + padding).name == "Zyntrix"


def test_subject_keys_compare_names_as_written_differently():
    assert subject_key("Chromecasts") == subject_key("chromecast")
    assert subject_key("Spotify's") == "spotify"
    assert same_subject(subject_key("Microsoft Azure"), subject_key("Azure"))
    assert not same_subject(subject_key("Azure"), subject_key("Zoom"))
    assert not same_subject("", subject_key("Zoom"))
