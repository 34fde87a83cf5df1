import hashlib
import hmac

from incidents.alerts.signing import signature, verify


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body_and_verifies():
    body = b'{"a":1}'
    header = signature("s3cret", 1700000000, body)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify("s3cret", header, body, now=1700000100)


def test_a_changed_body_another_secret_or_an_old_timestamp_fails():
    header = signature("s3cret", 1700000000, b"body")
    assert not verify("s3cret", header, b"bodY", now=1700000000)
    assert not verify("other", header, b"body", now=1700000000)
    assert not verify("s3cret", header, b"body", now=1700000000 + 301)
    assert not verify("s3cret", "garbage", b"body", now=1700000000)
