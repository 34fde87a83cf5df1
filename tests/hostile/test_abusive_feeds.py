"""Issue 15, malformed and abusive feeds: each ends in a readable source error, or a sane bounded parse,
within the fetch deadline and a bound on memory, and the other source of the same run is stored whole.

Corpus: tests/fixtures/hostile/abusive/ (README.md lists every case, where it comes from and what it does).
Payload cases are files served by the tests' HTTP server (a few with a placeholder the test fills, so that
a megabyte-sized case is not committed); transport cases are its /misbehave/ routes. Each case is polled by
`fetch_sources --sync` beside abusive/control.rss, under tracemalloc and with the process's peak RSS read
before and after.
"""

import json
import resource
import tracemalloc
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from articles.models import Article, Source
from tests.factories import SourceFactory
from tests.httpserver import FIXTURES_DIR

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
CORPUS = FIXTURES_DIR / "hostile" / "abusive"
MAX_BODY = 15 * MiB  # OUTAGEHUB_FETCH_MAX_BYTES' default and ceiling (outagehub/settings.py)
# Python memory a hostile poll may take at its peak, a bound on bytes that follows from the body limit: the
# body once, its decoded text once, and the parsed objects, which for a JSON status API of tiny incidents
# are about twelve times its bytes (100,000 incidents in 7.5 MB peaked at 88 MiB; the test serves 10,000).
# Without the guards the billion laughs, 100,000 items or 100,000 attributes took hundreds of megabytes,
# and minutes.
PEAK_BOUND = 8 * MAX_BODY
RSS_GROWTH_BOUND = 256 * MiB  # the whole process, C allocations (expat, zlib) included
ENTITIES_REFUSED = "the feed declares its own XML entities"
TOTAL_TIMEOUT = 1  # seconds; OUTAGEHUB_FETCH_TOTAL_TIMEOUT for these tests, so trickles end quickly


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # on the tests' server: a fixture served there, or a /misbehave/ route
    error: str = ""  # the readable source error it must end in; empty for a bounded parse
    items: int = 0  # items stored on a bounded parse
    kind: str = "feed"
    total_timeout: int = TOTAL_TIMEOUT


def fixture_body(name: str, server) -> bytes:
    """The case's file, placeholders filled: megabyte-sized cases are built here, not committed."""
    body = (CORPUS / name).read_bytes().replace(b"{base}", server.base_url.encode())
    if name == "quadratic-blowup.rss":  # 50,000 characters referenced 50,000 times: 2.5 GB expanded
        return body.replace(b"{entity}", b"a" * 50_000).replace(b"{refs}", b"&a;" * 50_000)
    if name == "deep-nesting.rss":
        return body.replace(b"{open}", b"<b>" * 20_000).replace(b"{close}", b"</b>" * 20_000)
    if name == "many-attributes.rss":
        return body.replace(b"{attributes}", b" ".join(b'a%d="1"' % n for n in range(100_000)))
    return body


def generated(name: str) -> bytes:
    if name == "100k-items.rss":
        items = b"".join(b"<item><title>Outage %d</title><guid>g%d</guid></item>" % (n, n) for n in range(100_000))
        return b'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>' + items + b"</channel></rss>"
    if name == "10k-incidents.json":
        incidents = [{"id": f"i{n}", "name": f"Outage {n}", "status": "resolved", "created_at": "2025-11-18T10:00:00Z"}
                     for n in range(10_000)]
        return json.dumps({"page": {"id": "p", "name": "Many", "url": "https://status.example", "time_zone": "UTC"},
                           "incidents": incidents}, separators=(",", ":")).encode()
    if name == "deep-json.json":
        return b"[" * 100_000 + b"]" * 100_000
    if name == "huge-integer.json":
        return b'{"page": {"id": "p"}, "incidents": [{"id": ' + b"9" * 1_000_000 + b"}]}"
    raise AssertionError(name)


CASES = [
    Case("billion-laughs.rss", "/billion-laughs.rss", ENTITIES_REFUSED),
    Case("quadratic-blowup.rss", "/quadratic-blowup.rss", ENTITIES_REFUSED),
    Case("xxe-local-file.rss", "/xxe-local-file.rss", ENTITIES_REFUSED),
    Case("xxe-parameter-entity.rss", "/xxe-parameter-entity.rss", ENTITIES_REFUSED),
    Case("utf16-no-bom.rss", "/utf16-no-bom.rss", ENTITIES_REFUSED),
    Case("xxe-external-dtd.rss", "/xxe-external-dtd.rss", items=1),
    Case("many-attributes.rss", "/many-attributes.rss", "has 100,000 attributes, more than the 256"),
    Case("100k-items.rss", "/100k-items.rss", "the feed holds 100,000 items, more than the 5,000"),
    Case("10k-incidents.json", "/10k-incidents.json", "the payload holds 10,000 items, more than the 5,000",
         kind="statuspage"),
    Case("deep-json.json", "/deep-json.json", "not JSON: maximum recursion depth exceeded", kind="statuspage"),
    Case("huge-integer.json", "/huge-integer.json", "not JSON: Exceeds the limit (4300 digits)", kind="statuspage"),
    Case("deep-nesting.rss", "/deep-nesting.rss", items=1),
    Case("invalid-xml.rss", "/invalid-xml.rss", items=2),
    Case("wrong-charset.rss", "/wrong-charset.rss", items=1),
    Case("utf7-declared.rss", "/utf7-declared.rss", items=1),
    Case("control-characters.rss", "/control-characters.rss", items=1),
    Case("truncated.rss", "/truncated.rss", "the feed is cut off: it ends before its closing </rss> tag"),
    Case("binary-garbage.rss", "/binary-garbage.rss", "not an RSS or Atom feed: malformed XML"),
    Case("html-page.rss", "/html-page.rss", "not an RSS or Atom feed: the body is an HTML page"),
    Case("50 MB body", "/misbehave/huge?mib=50", "response body exceeds 15 MiB"),
    Case("50 MB declared", "/misbehave/huge-declared?mib=50", "declares 50 MiB (Content-Length), more than the 15 MiB"),
    # 100 MiB of zeros in 100 KB; the server compresses it on the first request, so the deadline is the default.
    Case("gzip bomb", "/misbehave/gzip-bomb?mib=100", "response body exceeds 15 MiB (after decompression)",
         total_timeout=20),
    Case("endless chunked", "/misbehave/endless-chunked", "response body exceeds 15 MiB"),
    Case("endless chunked, slow", "/misbehave/endless-chunked?interval=0.3", f"timed out after {TOTAL_TIMEOUT} s"),
    Case("1 byte a second", "/misbehave/trickle?seconds=30", f"timed out after {TOTAL_TIMEOUT} s reading the body"),
    Case("headers 1 byte a second", "/misbehave/trickle-headers?seconds=10",
         f"timed out after {TOTAL_TIMEOUT} s waiting for a response"),
    Case("not gzip", "/not-gzip.rss", "could not decompress the body"),
    Case("empty body", "/misbehave/empty", "not an RSS or Atom feed: the body is empty"),
    Case("redirect loop", "/misbehave/redirect-loop", "redirect loop"),
    Case("connection reset", "/misbehave/reset", "connection"),
]


def serve(server, case: Case) -> None:
    if case.path.startswith("/misbehave/"):
        return
    name = case.path.lstrip("/")
    if name == "not-gzip.rss":  # says gzip, is plain XML
        body = (CORPUS / "control.rss").read_bytes()
        server.serve(case.path, body, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"})
    elif (CORPUS / name).exists():
        server.serve(case.path, fixture_body(name, server), content_type="application/xml")
    else:
        server.serve(case.path, generated(name), content_type="application/xml")


def test_the_corpus_has_every_case_the_issue_names_and_more():
    assert len(CASES) >= 20
    documented = (CORPUS / "README.md").read_text()
    assert all(f"`{case.name}`" in documented for case in CASES)
    assert {path.name for path in CORPUS.iterdir()} - {"README.md", "control.rss"} <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_case_ends_readably_in_bounded_memory_and_the_other_source_is_stored(http_server, settings, case):
    settings.OUTAGEHUB_FETCH_TOTAL_TIMEOUT = case.total_timeout
    http_server.serve_file("/control.rss", "hostile/abusive/control.rss")
    serve(http_server, case)
    hostile = SourceFactory(slug="hostile", kind=case.kind, url=http_server.url(case.path))
    control = SourceFactory(slug="control", url=http_server.url("/control.rss"))

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        call_command("fetch_sources", "--sync", stdout=_Discard(), stderr=_Discard())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before

    hostile.refresh_from_db()
    control.refresh_from_db()
    assert (control.health, Article.objects.filter(source=control).count()) == ("ok", 2)
    if case.error:
        assert hostile.health == Source.Health.FAILING
        assert case.error in hostile.last_error, hostile.last_error
        assert not Article.objects.filter(source=hostile).exists()
    else:
        assert hostile.health == Source.Health.OK, hostile.last_error
        assert Article.objects.filter(source=hostile).count() == case.items
    assert peak <= PEAK_BOUND, f"{case.name}: Python memory peaked at {peak / MiB:.0f} MiB"
    assert rss_growth <= RSS_GROWTH_BOUND, f"{case.name}: the process grew by {rss_growth / MiB:.0f} MiB"


def test_no_entity_is_read_from_a_file_or_fetched_from_a_url(http_server):
    for name in ("xxe-local-file.rss", "xxe-parameter-entity.rss", "xxe-external-dtd.rss"):
        http_server.serve(f"/{name}", fixture_body(name, http_server), content_type="application/xml")
        SourceFactory(url=http_server.url(f"/{name}"))
    call_command("fetch_sources", "--sync", stdout=_Discard(), stderr=_Discard())
    assert http_server.requests("/evil.dtd") == []  # no parser fetched the DTD
    assert not Article.objects.filter(title__contains="root:").exists()
    assert Article.objects.get().title == "Outage at Example"  # the external DTD's feed, read without it


def test_text_in_a_wrong_charset_or_with_control_characters_is_kept_readable(http_server):
    for name in ("wrong-charset.rss", "control-characters.rss", "utf7-declared.rss"):
        http_server.serve(f"/{name}", fixture_body(name, http_server), content_type="application/xml")
        SourceFactory(url=http_server.url(f"/{name}"))
    call_command("fetch_sources", "--sync", stdout=_Discard(), stderr=_Discard())
    titles = set(Article.objects.values_list("title", flat=True))
    assert "“Café payments” down \u2013 € lost" in titles  # Windows-1252 read as such, not as mojibake
    assert not any(character in title for title in titles for character in "\x00\x1b")
    assert "<script>" not in "".join(titles)  # UTF-7 never decoded into markup


class _Discard:
    def write(self, text):
        pass

    def flush(self):
        pass
