"""Which links we store and make clickable: absolute http(s) ones only (pure).

A feed item's <link> is the publisher's to write: javascript:, vbscript: and data: links run
script in whoever clicks them (an editor in admin). Browsers ignore control characters and
spaces around a URL and tabs and newlines inside it ("java&#9;script:" is javascript:), so the
scheme is read as a browser would read it.
"""

import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
# What the URL standard strips before parsing: C0 controls and space at either end, tab and newline anywhere.
_C0_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
# Any other control character left inside: not a link anyone wrote on purpose.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def web_link(url: str) -> str:
    """The URL, as a browser would read it, when it is an absolute http(s) link; else ""."""
    cleaned = _TAB_OR_NEWLINE.sub("", (url or "").strip(_C0_CONTROL_OR_SPACE))
    if _CONTROL.search(cleaned):
        return ""
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # "http://[bad"
        return ""
    return cleaned if parts.scheme.lower() in WEB_SCHEMES and parts.hostname else ""
