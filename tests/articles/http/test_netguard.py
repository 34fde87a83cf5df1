import ipaddress
import pickle
import socket

import pytest

from articles.http.netguard import (
    UnresolvableHostError,
    UnsafeURLError,
    check_url,
    classify_address,
    parse_url,
)

ALLOW_HINT = (
    "(allowed only for a source's own URL, when OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1 and the source's "
    "“allow private addresses” is on)"
)

NON_PUBLIC = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"),  # 240/4: named as reserved, although Python's private list holds it too
    ("192.0.2.1", "private"),  # documentation range
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("fec0::1", "site-local"),
    ("2001:db8::1", "private"),  # documentation range
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.5", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a00:5", "private"),  # NAT64 of 10.0.0.5
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("ip", "kind"), NON_PUBLIC)
def test_each_non_public_address_class_is_recognised(ip, kind):
    assert classify_address(ipaddress.ip_address(ip)) == kind


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_pass(ip):
    assert classify_address(ipaddress.ip_address(ip)) is None
    host = f"[{ip}]" if ":" in ip else ip
    [address] = check_url(f"https://{host}/feed", allow_private=False)
    assert address.ip == ipaddress.ip_address(ip)


@pytest.mark.parametrize(("ip", "kind"), NON_PUBLIC)
def test_a_literal_non_public_ip_is_refused_with_the_address_and_how_to_allow_it(ip, kind):
    host = f"[{ip}]" if ":" in ip else ip
    with pytest.raises(UnsafeURLError) as caught:
        check_url(f"http://{host}:8080/feed.xml", allow_private=False)
    article = "an" if kind[0] in "aeiou" else "a"
    assert str(caught.value).startswith(f"refused: {ip} is {article} {kind} address ")
    assert str(caught.value).endswith(ALLOW_HINT)


def test_the_cloud_metadata_address_is_named_as_such():
    expected = r"169\.254\.169\.254 is a link-local address \(the cloud metadata service\)"
    with pytest.raises(UnsafeURLError, match=expected):
        check_url("http://169.254.169.254/latest/meta-data/", allow_private=False)


def test_a_hostname_that_resolves_to_loopback_is_refused_naming_host_and_address():
    with pytest.raises(UnsafeURLError) as caught:
        check_url("http://localhost:8000/feed", allow_private=False)
    message = str(caught.value)
    assert message.startswith("refused: localhost resolves to ")
    assert message.endswith(f", a loopback address {ALLOW_HINT}")


@pytest.mark.parametrize(("ip", "_kind"), NON_PUBLIC)
def test_allow_private_lets_every_class_through(ip, _kind):
    host = f"[{ip}]" if ":" in ip else ip
    [address] = check_url(f"http://{host}/", allow_private=True)
    assert address.ip == ipaddress.ip_address(ip)


def test_allow_private_lets_localhost_through_with_its_addresses():
    addresses = check_url("http://localhost/", allow_private=True)
    assert addresses
    assert all(address.ip.is_loopback for address in addresses)
    assert {address.family for address in addresses} <= {socket.AF_INET, socket.AF_INET6}


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "gopher://example.com/", "javascript:alert(1)"]
)
def test_only_http_and_https_are_allowed_even_with_allow_private(url):
    scheme = url.split(":")[0]
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=True)
    assert str(caught.value) == f"refused: only http and https URLs can be fetched (got '{scheme}')"


def test_a_url_without_scheme_is_refused():
    with pytest.raises(UnsafeURLError, match=r"got 'no scheme'"):
        check_url("example.com/feed", allow_private=True)


@pytest.mark.parametrize("url", ["http:///feed", "https://:443/"])
def test_a_url_without_host_is_refused(url):
    with pytest.raises(UnsafeURLError, match="has no host name"):
        check_url(url, allow_private=True)


def test_an_invalid_port_is_refused():
    with pytest.raises(UnsafeURLError, match="is not a valid URL"):
        check_url("http://example.com:99999/", allow_private=True)


def test_a_name_that_does_not_resolve_is_a_readable_error():
    with pytest.raises(UnresolvableHostError) as caught:
        check_url("https://outagehub-test.invalid/feed", allow_private=False)
    assert str(caught.value).startswith("could not resolve host 'outagehub-test.invalid' (")
    assert caught.value.host == "outagehub-test.invalid"
    assert isinstance(caught.value, UnsafeURLError)  # callers validating URLs can catch one class


def test_ipv4_mapped_addresses_are_connected_to_as_plain_ipv4():
    [address] = check_url("http://[::ffff:8.8.8.8]/", allow_private=False)
    assert address.connect_ip == "8.8.8.8"


def test_parse_url_gives_host_port_and_request_target():
    parsed = parse_url("HTTPS://Status.Example.COM/history.atom?page=2#top")
    assert (parsed.scheme, parsed.host, parsed.port) == ("https", "status.example.com", 443)
    assert parsed.target == "/history.atom?page=2"
    assert parsed.host_header == "status.example.com"
    assert parse_url("http://[::1]:8080").host_header == "[::1]:8080"
    assert parse_url("http://[::1]:8080").target == "/"


def test_international_host_names_are_converted_to_ascii():
    assert parse_url("http://bücher.example/feed").host == "xn--bcher-kva.example"


def test_errors_survive_pickling():
    errors = [UnsafeURLError("10.0.0.5 is a private address"), UnresolvableHostError("x.invalid", "no", transient=True)]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert str(copy) == str(error)
        assert copy.reason == error.reason
        assert copy.transient == error.transient
