"""HTML from feeds and pages is hostile until cleaned: nh3 (Rust's ammonia) keeps a small
allow-list of tags and attributes and drops scripts, event handlers and unsafe URL schemes."""

import re
from html import unescape

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "q", "s", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul", "var",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
# Not only the tags: their content too (nh3 would otherwise keep a <script>'s text as text).
DROPPED_WITH_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "embed", "template", "noscript", "title"}

_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|pre|tr|dd|dt|figcaption)\s*>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# Any tag but paragraph and line-break ones, a comment or a declaration.
_MARKUP = re.compile(r"<(?!/?(?:p|br|div)\b)[a-zA-Z/!?]", re.IGNORECASE)


# What XML 1.0 forbids: C0 controls but tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF.
# The site's RSS and Atom feeds are XML: one such character in a stored title broke them. PostgreSQL
# refuses NUL as well. None of them is anything a reader sees.
_NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 forbids (the same object when it has none)."""
    return _NOT_XML_CHARACTER.sub("", text)


def sanitize_html(html: str) -> str:
    if not html:
        return ""
    # After cleaning: the parser turns character references ("&#1;") into the characters themselves.
    return xml_text(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    ))


def carries_markup(html: str) -> bool:
    """Whether the HTML says more than its plain text with line breaks: links, emphasis, lists."""
    return bool(_MARKUP.search(html))


def html_to_text(html: str, *, sanitized: bool = False) -> str:
    """Readable plain text: paragraphs on their own lines, entities decoded, no markup.

    It works on sanitised HTML (nh3 has already balanced the tags and dropped scripts), so a
    regular expression is enough and much faster than a parser; pass sanitized=True to skip
    cleaning HTML that is already clean.
    """
    if not html:
        return ""
    if "<" in html or "&" in html:
        html = unescape(_TAG.sub("", _BLOCK_END.sub("\n", html if sanitized else sanitize_html(html))))
    lines = (line.strip() for line in _SPACES.sub(" ", html).split("\n"))
    return "\n".join(line for line in lines if line)
