"""No network or one bad host name? (articles/connectivity.py)"""

from datetime import UTC, datetime

from articles.connectivity import NetworkState, clock, is_unresolved

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
EARLIER = datetime(2026, 12, 7, 10, 2, tzinfo=UTC)


def test_the_message_of_a_host_that_does_not_resolve_is_recognised():
    assert is_unresolved("could not resolve host 'status.example.com' (Name or service not known); "
                         "check the host name in the URL")
    assert not is_unresolved("HTTP 404 Not Found from status.example.com: the feed URL is wrong")
    assert not is_unresolved("")


def test_every_source_unresolved_is_no_network_since_their_last_success():
    state = NetworkState(fetched=62, unresolved=62, last_success_at=EARLIER)
    assert state.offline
    assert state.message(NOW) == "no network: name resolution failed for every source since 10:02 UTC"


def test_nearly_every_source_unresolved_names_how_many():
    state = NetworkState(fetched=42, unresolved=40, last_success_at=EARLIER)
    assert state.message(NOW) == "no network: name resolution failed for 40 of 42 sources since 10:02 UTC"


def test_one_source_that_does_not_resolve_keeps_its_own_message():
    assert not NetworkState(fetched=1, unresolved=1, last_success_at=None).offline
    assert not NetworkState(fetched=40, unresolved=1, last_success_at=EARLIER).offline
    assert NetworkState(fetched=40, unresolved=1, last_success_at=EARLIER).message(NOW) == ""


def test_fewer_than_nine_in_ten_unresolved_is_not_called_no_network():
    assert not NetworkState(fetched=10, unresolved=8, last_success_at=EARLIER).offline
    assert NetworkState(fetched=10, unresolved=9, last_success_at=EARLIER).offline


def test_sources_never_fetched_successfully_say_so():
    assert NetworkState(fetched=3, unresolved=3, last_success_at=None).message(NOW) == (
        "no network: name resolution failed for every source, and none has ever been fetched")


def test_a_time_on_another_day_carries_its_date():
    assert clock(datetime(2026, 12, 6, 23, 58, tzinfo=UTC), NOW) == "2026-12-06 23:58 UTC"
    assert clock(EARLIER, NOW) == "10:02 UTC"
