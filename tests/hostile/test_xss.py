"""Issue 15, stored and reflected XSS: no payload survives as active markup in any page, feed or admin view.

Corpus: tests/fixtures/hostile/xss-payloads.json (each payload with where it comes from and what it tries).
Every payload goes, through the real pipeline (add_source, then `fetch_sources --sync` from the tests' HTTP
server: fetch, adapter, ingest, extraction, clustering, summaries), into: a news feed item's title, summary,
content, link, author and category; an Atom entry's HTML title and content; a Statuspage incident's name,
update bodies (quoted, so extraction keeps it as an error message users see), components and short link;
and the name of a source. Then every page, feed and admin view is rendered and read as a browser reads it
(html5lib, the HTML5 parsing algorithm); the feeds' XML and JSON are decoded and their HTML and text
fields read the same way.
"""

import json
import re
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import html5lib
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from articles.models import Article, Source
from incidents.models import Incident, Service

# One xdist worker runs the module (`make test` distributes by --dist loadgroup): the corpus is ingested once.
pytestmark = pytest.mark.xdist_group("xss-corpus")
CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile" / "xss-payloads.json"
PAYLOADS = [(case["id"], case["payload"]) for case in json.loads(CORPUS.read_text())["payloads"]]
STARTED = "2025-11-18T10:{minute:02d}:00Z"
REAL_LINK = "https://news.example/2025/11/github-outage-{n}"
# Attributes a browser reads as a URL it may navigate to, load or run.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "srcset", "xlink:href",
                  "codebase", "cite", "ping", "manifest", "lowsrc", "dynsrc"}
# Elements that run, embed, restyle or redirect; none of them may come from a payload (our own pages
# have scripts only with a src under /static/ or the admin's /admin/jsi18n/). Our pages draw <svg> charts
# and use <details>, so those two are judged by their attributes and children like every other element.
ACTIVE_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "template",
                   "math", "noscript", "marquee", "video", "audio", "source"}
OUR_SCRIPTS = ("/static/", "/admin/jsi18n/")
ATOM = "{http://www.w3.org/2005/Atom}"


def active_markup(html: str, where: str) -> list[str]:
    """What in ``html`` a browser would run, load or navigate to: script elements (but our own files),
    event-handler attributes, script/data URLs, style attributes, active or embedding elements, a meta
    refresh. Read with the HTML5 parsing algorithm, as a browser reads the page."""
    document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        name = element.tag.rpartition("}")[2].lower()
        if name == "script" and not (element.get("src") or "").startswith(OUR_SCRIPTS):
            found.append(f"{where}: <script> {ElementTree.tostring(element, encoding='unicode')[:120]}")
        if name in ACTIVE_ELEMENTS:
            found.append(f"{where}: <{name}>")
        if name == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        if name == "link" and (element.get("rel") or "").lower() == "import":
            found.append(f"{where}: <link rel=import>")
        for attribute, value in element.attrib.items():
            attribute = attribute.rpartition("}")[2].lower()
            if attribute.startswith("on") or attribute == "style" or attribute == "srcdoc":
                found.append(f"{where}: <{name} {attribute}={value[:60]!r}>")
            if attribute in URL_ATTRIBUTES and re.match(r"(javascript|vbscript|data):",
                                                        re.sub(r"[\x00-\x20]", "", value).lower()):
                found.append(f"{where}: <{name} {attribute}={value[:60]!r}>")
    return found


def inert_text(text: str, where: str) -> list[str]:
    """A text field (an RSS title, a JSON Feed title) that a careless reader shows as HTML: it must hold no
    active markup even then."""
    return active_markup(f"<p>{text}</p>", where)


def rss_feed(http_server, n: int, payload: str) -> str:
    link = payload if re.match(r"\s*(javascript|vbscript|data):", payload, re.IGNORECASE) else REAL_LINK.format(n=n)
    body = f"<p>GitHub Actions users see failed workflow runs and errors.</p>{payload}<p>Outage ongoing.</p>"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{escape(payload)}</title><link>{escape(http_server.base_url)}</link><description>{escape(payload)}</description>
<item><title>GitHub outage breaks Actions for developers {escape(payload)}</title>
<link>{escape(link)}</link><guid isPermaLink="false">xss-{n}</guid>
<pubDate>Tue, 18 Nov 2025 11:{n % 60:02d}:00 GMT</pubDate><dc:creator>{escape(payload)}</dc:creator>
<category>{escape(payload)}</category>
<description>{escape("GitHub is down: " + payload)}</description>
<content:encoded>{escape(body)}</content:encoded></item></channel></rss>"""


def atom_feed() -> str:
    entries = "".join(f"""<entry><id>tag:hostile.example,2025:{n}</id><title type="html">{escape(
        "GitHub Codespaces outage " + payload)}</title><updated>2025-11-18T11:{n % 60:02d}:00Z</updated>
<link rel="alternate" href="https://news.example/atom/{n}"/><author><name>{escape(payload)}</name></author>
<content type="html">{escape("<p>GitHub Codespaces is down for many users.</p>" + payload)}</content></entry>"""
                      for n, (_id, payload) in enumerate(PAYLOADS))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title>'
            f'<id>tag:hostile.example,2025:feed</id><updated>2025-11-18T12:00:00Z</updated>{entries}</feed>')


def statuspage_json() -> str:
    incidents = []
    for n, (_id, payload) in enumerate(PAYLOADS):
        started = STARTED.format(minute=n % 60)
        component = {"id": f"c{n}", "name": f"Actions {payload}", "status": "major_outage"}
        updates = [
            {"id": f"u{n}b", "status": "identified", "created_at": started, "display_at": started,
             "body": f'Workflows fail with "{payload}" for some users. {payload}',
             "affected_components": [{"code": f"c{n}", "name": f"Actions {payload}", "old_status": "operational",
                                      "new_status": "major_outage"}]},
        ]
        incidents.append({
            "id": f"xss{n}", "name": f"Disruption with GitHub Actions {payload}", "status": "identified",
            "impact": "major", "created_at": started, "updated_at": started, "started_at": started,
            "shortlink": payload if payload.strip().lower().startswith(("javascript", "vbscript", "data:"))
            else f"https://stspg.io/xss{n}",
            "incident_updates": updates, "components": [component],
        })
    return json.dumps({"page": {"id": "p", "name": "GitHub", "url": "https://www.githubstatus.com",
                                "time_zone": "Etc/UTC"}, "incidents": incidents})


@pytest.fixture(scope="module")
def ingested(django_db_setup, django_db_blocker, http_server):
    """The whole corpus ingested once for the module, in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        http_server.reset()
        for n, (case_id, payload) in enumerate(PAYLOADS):
            http_server.serve(f"/news/{case_id}.rss", rss_feed(http_server, n, payload),
                              content_type="application/rss+xml")
            call_command("add_source", http_server.url(f"/news/{case_id}.rss"), "--kind", "feed",
                         f"--name={payload}", "--allow-private", stdout=_Null())
        http_server.serve("/codespaces.atom", atom_feed(), content_type="application/atom+xml")
        http_server.serve("/api/v2/incidents.json", statuspage_json(), content_type="application/json")
        call_command("add_source", http_server.url("/codespaces.atom"), "--kind", "feed", "--name", "Atom",
                     "--allow-private", stdout=_Null())
        call_command("add_source", http_server.url("/api/v2/incidents.json"), "--kind", "statuspage",
                     "--name", "GitHub status", "--vendor", "GitHub", "--allow-private", stdout=_Null())
        call_command("fetch_sources", "--sync", stdout=_Null())
        User.objects.create_superuser("xss-editor", "editor@example.invalid", "x")
        yield
        transaction.set_rollback(True)


class _Null:
    def write(self, text):
        pass

    def flush(self):
        pass


@pytest.fixture
def editor(client, ingested, db):
    client.force_login(User.objects.get(username="xss-editor"))
    return client


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


# --- the corpus really went in ---------------------------------------------------------------------------


def test_every_payload_was_stored_and_reached_an_incident(ingested, db):
    assert len(PAYLOADS) >= 50
    assert Source.objects.filter(health="ok").count() == len(PAYLOADS) + 2, list(
        Source.objects.exclude(health="ok").values_list("name", "last_error"))
    assert Article.objects.filter(kind="status").count() == len(PAYLOADS)
    assert Article.objects.filter(kind="news").count() == 2 * len(PAYLOADS)
    assert Incident.objects.filter(vendor__slug="github").count() >= len(PAYLOADS)
    assert not Article.objects.exclude(url="").exclude(url__startswith="http").exists()


def test_the_payloads_show_as_text_where_they_were_put(editor):
    # The control: the checks below find nothing because the payloads are inert text, not because they
    # never reached the page. An incident titled with a payload shows the payload's characters as text.
    for case_id, payload in PAYLOADS[:12]:
        incident = Incident.objects.filter(title__contains=payload.strip()[:20]).first()
        assert incident, case_id
        document = html5lib.parse(get(editor, reverse("incident", args=[incident.slug])),
                                  treebuilder="etree", namespaceHTMLElements=False)
        assert payload.strip()[:20] in "".join(document.find("body").itertext()), case_id


# --- pages -------------------------------------------------------------------------------------------------


def public_pages():
    pages = ["/", "/?vendor=github", "/?status=ongoing", "/sources", "/feeds", "/vendors/github/"]
    pages += [reverse("incident", args=[slug]) for slug in Incident.objects.values_list("slug", flat=True)]
    pages += [reverse("service", args=[slug]) for slug in Service.objects.filter(
        incidents__isnull=False).values_list("slug", flat=True).distinct()]
    pages += ["/search?q=github", "/search?q=alert", "/search?q=script", "/search?q=onerror"]
    return pages


def test_no_payload_is_active_markup_on_any_public_page(editor):
    found = []
    for url in public_pages():
        found += active_markup(get(editor, url), url)
    assert found == []


@pytest.mark.django_db
def test_no_payload_typed_into_search_or_a_filter_is_reflected_as_markup(client):
    # Reflected, not stored: an empty archive keeps the pages small, and the payload is all they can show.
    found = []
    for case_id, payload in PAYLOADS:
        value = quote(payload)
        for url in (f"/search?q={value}", f"/?region={value}&vendor={value}&service={value}&status={value}",
                    f"/?from={value}&severity={value}"):
            response = client.get(url)
            assert response.status_code in (200, 400), f"{case_id}: {url}"
            found += active_markup(response.content.decode(), f"{case_id}: {url}")
        refused = client.get(f"/feeds/incidents.rss?region={value}")  # no such region: refused, in words
        assert refused.status_code == 400, f"{case_id}: feed"
        found += active_markup(refused.content.decode(), f"{case_id}: the feed's 400 answer")
    assert found == []


# --- feeds -------------------------------------------------------------------------------------------------


def feed_urls(prefix: str) -> list[str]:
    # A filter the feed cannot use is a 400 (test_no_payload_typed_into_search_or_a_filter_…), not a feed.
    return [f"/feeds/incidents.{prefix}", f"/vendors/github/feed.{prefix}"]


def test_rss_decodes_to_inert_text_and_html(editor):
    found, items = [], 0
    for url in feed_urls("rss"):
        channel = ElementTree.fromstring(get(editor, url)).find("channel")
        found += inert_text(channel.findtext("title"), f"{url} channel title")
        for item in channel.iter("item"):
            items += 1
            found += inert_text(item.findtext("title"), f"{url} title")  # readers may take it for HTML
            found += active_markup(item.findtext("description"), f"{url} description")
            found += [f"{url} category" for category in item.iter("category") if inert_text(category.text, "")]
            assert urlsplit(item.findtext("link")).scheme == "http"  # our own incident page
    assert items >= 50 and found == []


def test_atom_decodes_to_inert_text_and_html(editor):
    found, entries = [], 0
    for url in feed_urls("atom"):
        feed = ElementTree.fromstring(get(editor, url))
        for entry in feed.iter(f"{ATOM}entry"):
            entries += 1
            title = entry.find(f"{ATOM}title")
            if title.get("type") == "html":
                found += active_markup(title.text, f"{url} title")
            found += inert_text(escape(title.text), f"{url} title")  # a text title is text, escaped as such
            found += active_markup(entry.findtext(f"{ATOM}summary") or "", f"{url} summary")
            assert all(urlsplit(link.get("href")).scheme == "http" for link in entry.iter(f"{ATOM}link"))
    assert entries >= 50 and found == []


def test_json_feed_decodes_to_inert_text_and_html(editor):
    document = json.loads(get(editor, "/feeds/incidents.json"))
    found = []
    for item in document["items"]:
        found += active_markup(item["content_html"], f"json {item['id']} content_html")
        for field in ("title", "summary", "content_text"):
            found += inert_text(escape(item.get(field, "")), f"json {item['id']} {field}")
        assert urlsplit(item["url"]).scheme == "http"
        assert all(isinstance(message, str) for message in item["_outagehub"]["error_messages"])
    assert len(document["items"]) >= 50 and found == []
    # The payloads are there, as text: a JSON reader gets the characters, never markup it must run.
    assert any("<script>alert(46)</script>" in item["title"] for item in document["items"])


ICAL_PROPERTIES = {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "NAME", "X-WR-CALNAME", "DESCRIPTION", "URL",
                   "REFRESH-INTERVAL", "UID", "DTSTAMP", "LAST-MODIFIED", "DTSTART", "DTEND", "SUMMARY", "TRANSP",
                   "CATEGORIES"}


def test_icalendar_holds_each_payload_inside_its_own_text_property(editor):
    text = get(editor, "/feeds/incidents.ics")
    assert "\r\n" in text and not re.search(r"(?<!\r)\n|\r(?!\n)", text)  # only CRLF line ends
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]  # unfolded (RFC 5545 3.1)
    names = [re.match(r"[A-Z-]+", line).group() for line in lines]
    assert set(names) <= ICAL_PROPERTIES, set(names) - ICAL_PROPERTIES  # no ATTACH, no injected property
    events = names.count("SUMMARY")
    assert events >= 50 and lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == events
    assert "SUMMARY:injected" not in lines


# --- admin -------------------------------------------------------------------------------------------------


def admin_pages():
    pages = [reverse(f"admin:{name}") for name in (
        "incidents_incident_changelist", "articles_article_changelist", "articles_source_changelist",
        "articles_fetchattempt_changelist", "incidents_revision_changelist", "incidents_articlefacts_changelist",
        "incidents_newsubject_changelist", "incidents_service_changelist", "index")]
    pages += [reverse("admin:articles_article_changelist") + "?q=script", reverse("admin:articles_source_changelist")
              + "?q=script"]
    # One of each form per payload: the incident its status post opened, the status post (its updates and
    # rendered body) and the news article from its RSS item. The Atom articles and the sources' own forms
    # put the same fields in the same templates; the lists above show their titles and names.
    for pk in Incident.objects.values_list("pk", flat=True):
        pages.append(reverse("admin:incidents_incident_change", args=[pk]))
    pages += [reverse(f"admin:incidents_incident_{view}", args=[Incident.objects.earliest("pk").pk])
              for view in ("split", "summary")]
    articles = Article.objects.exclude(source__url__endswith=".atom").values_list("pk", flat=True)
    pages += [reverse("admin:articles_article_change", args=[pk]) for pk in articles]
    return pages


def test_no_payload_is_active_markup_in_any_admin_view(editor):
    found = []
    for url in admin_pages():
        found += active_markup(get(editor, url), url)
    assert found == []
