"""One URL per story: the form used to recognise the same article across feeds and polls."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader, not identify the content.
TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "referrer", "cmpid", "ncid", "ocid", "smid",
    "spm", "soc_src", "soc_trk", "taid", "sr_share", "at_medium", "at_campaign", "at_custom1",
    "at_custom2", "at_custom3", "at_custom4", "guccounter", "guce_referrer", "guce_referrer_sig",
    "__twitter_impression", "s_cid", "xtor",
}
# Parameters that only select the AMP rendering of the same page.
AMP_PARAMS = {("amp", "1"), ("amp", "true"), ("amp", ""), ("outputtype", "amp"), ("output", "amp")}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "vero_", "oly_", "trk_", "icid")
AMP_CACHE_HOST = re.compile(r"\.cdn\.ampproject\.org$")
AMP_PATH_SEGMENT = re.compile(r"/amp(?:/|\.html)?$|^/amp(?=/)")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_noise(name: str, value: str) -> bool:
    lowered = name.lower()
    return (
        lowered in TRACKING_PARAMS
        or lowered.startswith(TRACKING_PREFIXES)
        or (lowered, value.lower()) in AMP_PARAMS
    )


def _unwrap_amp_cache(parts):
    """https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a → https://www.example.com/a"""
    path = parts.path
    match = re.match(r"^/[a-z]/(s/)?(?P<rest>.+)$", path)
    if not match:
        return parts
    scheme = "https" if match.group(1) else "http"
    return urlsplit(f"{scheme}://{match.group('rest')}" + (f"?{parts.query}" if parts.query else ""))


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no trackers, sorted query, no
    trailing slash, AMP variants folded into the page they copy. Non-http(s) input is returned stripped."""
    url = (url or "").strip()
    parts = urlsplit(url)
    host = parts.hostname  # a parsing property: read once
    if parts.scheme.lower() not in DEFAULT_PORTS or not host:
        return url
    if AMP_CACHE_HOST.search(host):
        parts = _unwrap_amp_cache(parts)
        host = parts.hostname or ""
    scheme = parts.scheme.lower()
    host = host.removeprefix("amp.")
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    # /story/ and /story are one page on every news site we know; so are /story/amp and /story.
    path = AMP_PATH_SEGMENT.sub("", parts.path).rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_noise(k, v)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))
