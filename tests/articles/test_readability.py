from articles.readability import extract_article

PAGE = b"""<!doctype html><html><head>
<link rel="canonical" href="/2025/11/cloudflare-outage/">
<script>tracking()</script></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="share-buttons"><p>Share this story on every social network you have ever heard of today</p></div>
<article>
  <h2>What happened</h2>
  <p>Cloudflare said a configuration file doubled in size and crashed the proxy software on its edge.</p>
  <p>Users saw "500 Internal Server Error" pages on many websites for about three hours on Tuesday.</p>
  <div class="related-stories"><p>Related: another outage story that is not part of this article text</p></div>
  <p>Short.</p>
</article>
<footer><p>Copyright notice and links to the privacy policy and terms of service pages</p></footer>
</body></html>"""


def test_it_keeps_the_article_text_and_drops_boilerplate():
    page = extract_article(PAGE, "https://news.example/2025/11/cloudflare-outage/?utm_source=rss")
    assert "configuration file doubled" in page.html
    assert '"500 Internal Server Error"' in page.html
    assert "What happened" in page.html
    for boilerplate in ("Home", "Share this story", "Related:", "Copyright", "tracking()", "Short."):
        assert boilerplate not in page.html
    assert page.text_length > 150


def test_it_reads_rel_canonical_relative_to_the_page():
    page = extract_article(PAGE, "https://news.example/amp/x")
    assert page.canonical_url == "https://news.example/2025/11/cloudflare-outage/"


def test_without_an_article_element_it_takes_the_densest_block_of_paragraphs():
    html = (
        "<html><body><div id='menu'><p>Menu</p></div><div id='content'>"
        + "<p>Paragraph of real reporting about the outage and its effect on users.</p>" * 5
        + "</div><div><p>A lone paragraph elsewhere on the page that is long enough.</p></div></body></html>"
    )
    page = extract_article(html, "https://news.example/x")
    assert page.html.count("real reporting") == 5
    assert "lone paragraph" not in page.html
    assert page.canonical_url == ""


def test_it_survives_garbage():
    page = extract_article(b"\x00\xff<<<>>>&&&", "https://news.example/x")
    assert page.text_length == 0
