"""Find the article in a web page: its main text and its rel=canonical link. Pure (bytes in)."""

from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from .links import web_link

# Never article text, wherever they sit in the page.
BOILERPLATE_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "form", "nav", "header", "footer",
                    "aside", "button", "figure"]
BOILERPLATE_HINTS = ("comment", "share", "social", "related", "newsletter", "promo", "advert", "sidebar", "footer",
                     "subscribe", "cookie", "byline", "breadcrumb", "nav", "menu")
MIN_PARAGRAPH_CHARS = 40


@dataclass(frozen=True)
class PageArticle:
    html: str  # unsanitised paragraphs of the main text, joined
    text_length: int
    canonical_url: str


def _looks_like_boilerplate(tag) -> bool:
    if tag.attrs is None:
        return False
    marker = " ".join([*tag.get("class", []), tag.get("id", "") or ""]).lower()
    return any(hint in marker for hint in BOILERPLATE_HINTS)


def _best_container(soup):
    """The element holding the most paragraph text: <article> or <main> when present, else the
    parent of the densest run of <p> elements."""
    for selector in ("article", "main", "[itemprop=articleBody]"):
        candidates = soup.select(selector)
        if candidates:
            return max(candidates, key=lambda el: len(el.get_text(" ", strip=True)))
    scores: dict[int, tuple[int, object]] = {}
    for p in soup.find_all("p"):
        parent = p.parent
        if parent is None:
            continue
        length = len(p.get_text(" ", strip=True))
        total, _ = scores.get(id(parent), (0, parent))
        scores[id(parent)] = (total + length, parent)
    if not scores:
        return soup.body or soup
    return max(scores.values(), key=lambda pair: pair[0])[1]


def extract_article(page: bytes | str, page_url: str) -> PageArticle:
    soup = BeautifulSoup(page, "html.parser")
    link = soup.find("link", rel="canonical", href=True)
    # A page's rel=canonical is the publisher's to write, javascript: links included.
    canonical = web_link(urljoin(page_url, link["href"].strip())) if link else ""
    for tag in soup(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in soup.find_all(_looks_like_boilerplate):
        if tag.name not in ("html", "body", "article", "main"):
            tag.decompose()
    container = _best_container(soup)
    blocks = [
        block for block in container.find_all(["p", "h2", "h3", "blockquote", "pre", "li"])
        if len(block.get_text(" ", strip=True)) >= (0 if block.name in ("h2", "h3") else MIN_PARAGRAPH_CHARS)
        and not block.find_parent(["blockquote", "pre", "li"])
    ]
    html = "\n".join(str(block) for block in blocks)
    text_length = sum(len(block.get_text(" ", strip=True)) for block in blocks)
    return PageArticle(html=html, text_length=text_length, canonical_url=canonical)
