import pytest

from incidents.api.ratelimit import Rate, client_ip, parse_rate, window

PROXY = frozenset({"127.0.0.1", "::1"})


@pytest.mark.parametrize(("text", "rate"), [
    ("120/min", Rate(120, 60)), ("10/s", Rate(10, 1)), ("5000/hour", Rate(5000, 3600)), ("100/5min", Rate(100, 300)),
    (" 7 / Day ", Rate(7, 86400)),
])
def test_a_rate_is_requests_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "120", "0/min", "120/fortnight", "-1/min", "120/0min", "lots/min", "1.5/s"])
def test_anything_else_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="such as 120/min"):
        parse_rate(text)


def test_a_window_is_numbered_and_says_the_seconds_left():
    assert window(120.0, Rate(10, 60)) == (2, 60)
    assert window(179.2, Rate(10, 60)) == (2, 1)
    assert window(150.5, Rate(10, 60)) == (2, 30)


def test_the_client_is_remote_addr_unless_that_is_a_believed_proxy():
    assert client_ip("198.51.100.7", "203.0.113.1", PROXY) == "198.51.100.7"
    assert client_ip("127.0.0.1", "", PROXY) == "127.0.0.1"
    assert client_ip("127.0.0.1", "203.0.113.1", PROXY) == "203.0.113.1"


def test_behind_proxies_the_nearest_untrusted_address_counts_not_what_the_client_wrote():
    # The client wrote 10.0.0.1 itself; the proxy appended the address it saw.
    assert client_ip("127.0.0.1", "10.0.0.1, 203.0.113.1", PROXY) == "203.0.113.1"
    assert client_ip("127.0.0.1", "203.0.113.1, ::1", PROXY) == "203.0.113.1"
    assert client_ip("127.0.0.1", "not-an-address, 2001:db8::1", PROXY) == "2001:db8::1"
    assert client_ip("127.0.0.1", "not-an-address", PROXY) == "127.0.0.1"


def test_trusting_every_proxy_counts_the_first_address():
    assert client_ip("10.1.1.1", "203.0.113.1, 10.2.2.2", frozenset({"*"})) == "203.0.113.1"
