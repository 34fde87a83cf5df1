"""The signature of a generic webhook's message (pure): HMAC-SHA256 over "<timestamp>.<body>" with the
watch's secret, sent as `X-OutageHub-Signature: t=<timestamp>,v1=<hex>`. The timestamp is signed so a
receiver can refuse an old message replayed (README, "Alerts", has a receiver's check)."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-OutageHub-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance` seconds of now."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")
