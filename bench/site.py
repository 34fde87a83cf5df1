"""Section "site", one subprocess per database: the pages, search and feeds at archive scale.

    python -m bench.site --database-url sqlite:////tmp/somewhere/bench.sqlite3

Seeds --incidents incidents (10,000) with --articles articles (100,000: news reports and vendor
status posts with updates), each incident summarised, then times requests through Django's test
client in this process: server time, from the request entering the middleware to the response
leaving it, without a network. Reports p50 and p95 per page; "not_modified" is a repeat request
carrying the ETag of the first, answered 304.

The status board and a vendor's component strips run on --sources sources in all (300): the news
feeds and each vendor's status page, the rest more status pages of the catalogue's vendors, each
with COMPONENTS_PER_SOURCE components and 120 days of state changes; their queries are counted too
(`*_queries`, at most six).

The pages are kept in the page cache (CACHE_URL; local memory here), so each cached page has two
figures: "<page>" with the cache warm (nothing changed since the page was first rendered: what most
readers get) and "<page>_cold", where a real change (an incident's row rewritten, which moves the
content version) comes before every timed request: what the first reader after each change gets.
"""

import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from statistics import quantiles
from time import perf_counter

from .child import arguments, guarded, main
from .report import Entry, Figure, progress

SEED = 20261127
RARE_WORD = "zanzibarite"  # in a handful of articles: a search for it finds few
ERROR_MESSAGE = "550 5.7.708 Service unavailable. Access denied"
REGIONS = ("Frankfurt", "aws:us-east-1", "gcp:europe-west3", "London", "Tokyo", "azure:eastus", "Sydney", "Paris")
PAGES = ("timeline", "timeline_filtered", "incident", "search_common", "search_rare", "search_error", "feed",
         "not_modified_feed", "not_modified_timeline", "timeline_cold", "incident_cold", "feed_cold", "status",
         "status_filtered", "not_modified_status", "vendor_components", "api_incidents", "api_incidents_filtered",
         "not_modified_api_incidents", "api_incidents_cold")
COUNTED = ("status", "status_filtered", "vendor_components", "api_incidents", "api_incidents_filtered")
# The board's budget (issue 16); a vendor page reads the content version beside its own (conditional.py);
# the API's incident list: its page's ids, the content version, (the vendor named,) the rows, their services.
MAX_QUERIES = {"status": 6, "status_filtered": 6, "vendor_components": 7, "api_incidents": 4,
               "api_incidents_filtered": 5}
COMPONENTS_PER_SOURCE = 12
COLD_REQUESTS = 60  # each comes after a write, so fewer


def seed(incident_count: int, article_count: int, rng: random.Random) -> list[str]:
    """Incidents over the last two years, each with its share of articles; returns the slugs."""
    from django.db import transaction
    from wordfreq import top_n_list

    from articles.models import Article, Source, StatusUpdate
    from incidents.extraction.regions import expand
    from incidents.models import Incident, IncidentRegion, Membership, Service, Summary
    from incidents.site.search.index import index_all_articles

    vocabulary = [w for w in top_n_list("en", 4000) if w.isalpha() and len(w) > 3]
    services = list(Service.objects.select_related("vendor")[:120])
    news_sources = [Source.objects.create(name=f"News {n}", slug=f"news-{n}", kind="feed",
                                          url=f"https://news{n}.example/feed") for n in range(40)]
    status_sources = {}
    now = datetime.now(UTC)
    per_incident = max(1, article_count // incident_count)
    incidents, memberships_of = [], []
    with transaction.atomic():
        for n in range(incident_count):
            service = services[n % len(services)]
            vendor = service.vendor
            started = now - timedelta(minutes=n * 100 + rng.randint(0, 90))
            ongoing = n < 15
            resolved = None if ongoing else started + timedelta(minutes=rng.randint(10, 600))
            incidents.append(Incident(
                slug=f"bench-{n}", title=f"{service.name} outage: {' '.join(rng.sample(vocabulary, 5))}",
                vendor=vendor, status="investigating" if ongoing else "resolved", severity=rng.randint(2, 4),
                started_at=started, resolved_at=resolved, first_reported_at=started,
                vendor_acknowledged_at=started + timedelta(minutes=rng.randint(0, 60)),
                regions=rng.sample(REGIONS, rng.randint(1, 3)), vendor_incident_ids=[f"BX{n:07d}"],
                error_messages=[ERROR_MESSAGE] if n % 97 == 0 else [], news_count=per_incident - 1, status_count=1,
                last_activity_at=resolved or started, created_at=started,
            ))
            memberships_of.append(service)
        Incident.objects.bulk_create(incidents, batch_size=2000)
        Incident.services.through.objects.bulk_create(
            [Incident.services.through(incident_id=i.pk, service_id=s.pk) for i, s in zip(incidents, memberships_of,
                                                                                          strict=True)],
            batch_size=5000)
        IncidentRegion.objects.bulk_create(
            [IncidentRegion(incident_id=i.pk, label=label) for i in incidents
             for label in {a for r in i.regions for a in expand(r)}], batch_size=5000)
        summaries = [Summary(incident_id=i.pk, version=1, backend="offline", created_at=i.last_activity_at,
                             why_this_matters=[{"text": f"{i.title} had problems.", "citations": ["article:1"]}] * 2,
                             takeaways=[{"text": " ".join(rng.sample(vocabulary, 12)), "citations": ["article:1"],
                                         "kind": "impact"}] * 4)
                     for i in incidents]
        Summary.objects.bulk_create(summaries, batch_size=2000)
        for incident, summary in zip(incidents, summaries, strict=True):
            incident.summary_id = summary.pk
        Incident.objects.bulk_update(incidents, ["summary"], batch_size=2000)
    progress(f"seeded {incident_count:,} incidents; now {article_count:,} articles")
    made = 0
    for start in range(0, incident_count, 500):
        articles, members, owners = [], [], []
        for incident, service in zip(incidents[start:start + 500], memberships_of[start:start + 500], strict=True):
            vendor = service.vendor
            source = status_sources.get(vendor.pk) or status_sources.setdefault(vendor.pk, Source.objects.create(
                name=f"{vendor.name} status", slug=f"status-{vendor.slug}", kind="statuspage",
                url=f"https://status-{vendor.slug}.example/api", vendor_name=vendor.name))
            for k in range(per_incident):
                is_status = k == 0
                words = rng.sample(vocabulary, 180)
                if made % 20_000 == 7:
                    words.append(RARE_WORD)
                body = " ".join(words) + (f'. Users see "{ERROR_MESSAGE}".' if incident.error_messages else ".")
                when = incident.started_at + timedelta(minutes=k * 7)
                articles.append(Article(
                    source=source if is_status else news_sources[(made + k) % len(news_sources)],
                    kind="status" if is_status else "news", external_id=f"bench-{made}",
                    url=f"https://news.example/{made}", canonical_url=f"https://news.example/{made}",
                    dedupe_url=f"https://news.example/{made}", title=f"{service.name} outage {made}",
                    body_text=body, summary_text=body[:300], published_at=when, content_hash=f"{made:064x}",
                    vendor_name=vendor.name if is_status else "", vendor_status="resolved" if is_status else "",
                    vendor_incident_id=incident.vendor_incident_ids[0] if is_status else "",
                ))
                owners.append(incident)
                made += 1
        with transaction.atomic():
            Article.objects.bulk_create(articles, batch_size=1000)
            members = [Membership(article_id=a.pk, incident_id=i.pk, score=1.5) for a, i in zip(articles, owners,
                                                                                               strict=True)]
            Membership.objects.bulk_create(members, batch_size=2000)
            StatusUpdate.objects.bulk_create(
                [StatusUpdate(article_id=a.pk, key=f"u{u}", posted_at=a.published_at + timedelta(minutes=u * 20),
                              status=("investigating", "identified", "resolved")[u], text=" ".join(rng.sample(
                                  vocabulary, 25))) for a in articles if a.kind == "status" for u in range(3)],
                batch_size=2000)
        if start % 2000 == 0:
            progress(f"  {made:,} articles")
    progress("indexing the articles for search, as the pipeline does for each one it processes")
    index_all_articles()
    return [i.slug for i in incidents]


def seed_status_pages(source_count: int, rng: random.Random) -> None:
    """More status sources of the catalogue's vendors up to `source_count` sources in all, and for
    every status source its components with 120 days of state changes: calm ones first seen before
    the window, one in seven through a few outages, one source in twenty failing."""
    from django.db import transaction

    from articles.models import ComponentStateChange, Source, SourceComponent
    from incidents.models import Vendor

    now = datetime.now(UTC)
    vendors = list(Vendor.objects.order_by("slug").values_list("slug", "name"))
    extra = max(0, source_count - Source.objects.count())
    with transaction.atomic():
        Source.objects.bulk_create([
            Source(name=f"{name} page {n}", slug=f"page-{n}-{slug}", kind="statuspage", vendor_name=name,
                   url=f"https://page{n}.{slug}.example/api/v2/components.json", host=f"page{n}.{slug}.example")
            for n, (slug, name) in zip(range(extra), (vendors * (extra // len(vendors) + 1)), strict=False)])
        status_sources = list(Source.objects.exclude(vendor_name=""))
        for n, source in enumerate(status_sources):
            failing = n % 20 == 3
            source.health = "failing" if failing else "ok"
            source.last_fetch_at = now - timedelta(seconds=rng.randint(5, 120))
            source.last_success_at = None if failing else source.last_fetch_at
            source.last_error = "HTTP 503 from the server" if failing else ""
            source.page_state = "degraded" if n % 9 == 0 else "operational"
            source.page_state_since = now - timedelta(days=rng.randint(1, 30))
        Source.objects.bulk_update(status_sources, ["health", "last_fetch_at", "last_success_at", "last_error",
                                                    "page_state", "page_state_since"], batch_size=500)
        first_seen = now - timedelta(days=120)
        components = SourceComponent.objects.bulk_create([
            SourceComponent(source=source, key=f"c{k}", name=f"Component {k}", group=f"Group {k % 3}", position=k,
                            state="operational", vendor_label="operational", since=first_seen)
            for source in status_sources for k in range(COMPONENTS_PER_SOURCE)], batch_size=2000)
        changes = []
        for n, component in enumerate(components):
            changes.append(ComponentStateChange(component=component, from_state="", to_state="operational",
                                                vendor_label="operational", since=first_seen))
            if n % 7 == 0:
                for _ in range(3):
                    down = now - timedelta(days=rng.uniform(1, 89))
                    changes += [ComponentStateChange(component=component, from_state="operational",
                                                     to_state="major_outage", vendor_label="major_outage", since=down),
                                ComponentStateChange(component=component, from_state="major_outage",
                                                     to_state="operational", vendor_label="operational",
                                                     since=down + timedelta(minutes=rng.randint(5, 300)))]
        ComponentStateChange.objects.bulk_create(changes, batch_size=5000)
    progress(f"status pages: {len(status_sources)} sources, {len(components):,} components, "
             f"{len(changes):,} state changes")


def count_queries(path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get(path)
    return len(captured)


def change_something() -> None:
    """A real change readers would see (an incident's row rewritten), committed: the content version moves."""
    from incidents.models import Incident

    Incident.objects.filter(pk=Incident.objects.order_by("pk").values("pk")[:1]).update(severity=3)


def time_requests(paths: list[tuple[str, dict]], rounds: int, cold: bool = False) -> tuple[float, float, set[int]]:
    """p50 and p95 in milliseconds over `rounds` requests cycling through `paths`, and every status seen.
    Cold: a change before each request (not timed), so none is served from the page cache."""
    from django.test import Client

    client = Client()
    # Warm-up: the query planner, the template loader, and the page cache for every path timed warm
    # (a first view is what the cold figures time).
    for path, headers in paths[:3] if cold else paths:
        client.get(path, headers=headers)
    seconds, statuses = [], set()
    for n in range(rounds):
        path, headers = paths[n % len(paths)]
        if cold:
            change_something()
        began = perf_counter()
        response = client.get(path, headers=headers)
        seconds.append(perf_counter() - began)
        statuses.add(response.status_code)
    cuts = quantiles(seconds, n=20)
    return cuts[9] * 1000, cuts[18] * 1000, statuses


CACHED = {"timeline", "timeline_filtered", "incident", "feed", "api_incidents", "api_incidents_filtered"}


def measure(args, slugs: list[str], rng: random.Random, label: str) -> list[Figure]:
    from django.conf import settings
    from django.test import Client

    from incidents.models import Incident

    client = Client()
    vendor_slug = Incident.objects.select_related("vendor").get(slug=slugs[0]).vendor.slug
    stack = ",".join(Incident.objects.filter(slug__in=slugs[:40]).values_list("vendor__slug", flat=True).distinct()[:5])
    cases = {
        "timeline": [("/", {})],
        "timeline_filtered": [(f"/?vendor={vendor_slug}&severity=major&region=Europe", {})],
        "incident": [(f"/incidents/{slug}/", {}) for slug in rng.sample(slugs, min(50, len(slugs)))],
        "search_common": [("/search?q=outage", {})],
        "search_rare": [(f"/search?q={RARE_WORD}", {})],
        "search_error": [(f"/search?q={ERROR_MESSAGE}", {})],
        "feed": [("/feeds/incidents.atom", {})],
        "not_modified_feed": [("/feeds/incidents.atom", {})],
        "not_modified_timeline": [("/", {})],
        "status": [("/status", {})],
        "status_filtered": [(f"/status?v={stack}", {})],
        "not_modified_status": [("/status", {})],
        "vendor_components": [(f"/vendors/{vendor_slug}/", {})],
        # The API's first page at its largest; and one vendor's ongoing and major incidents in Europe.
        "api_incidents": [("/api/v1/incidents?limit=200", {})],
        "api_incidents_filtered": [(f"/api/v1/incidents?vendor={vendor_slug}&severity=major&region=Europe", {})],
        "not_modified_api_incidents": [("/api/v1/incidents?limit=200", {})],
    }
    cases |= {"timeline_cold": cases["timeline"], "incident_cold": cases["incident"], "feed_cold": cases["feed"],
              "api_incidents_cold": cases["api_incidents"]}
    figures = []
    for page in COUNTED:
        queries = count_queries(cases[page][0][0])
        name = f"site.{label}.{page}_queries"
        most = MAX_QUERIES[page]
        figures.append(Figure(name, queries, "queries", f"target <= {most}") if queries <= most
                       else Figure.failed(name, f"{queries} queries, more than {most}"))
    for page, paths in cases.items():
        repeat, cold = page.startswith("not_modified"), page.endswith("_cold")
        expected = 304 if repeat else 200
        # A repeat carries the ETag of a first request taken just before; the board's version moves each
        # minute, so a run that straddles a minute (some answers 200) is run once more.
        for _ in range(2 if repeat else 1):
            if repeat:
                paths = [(path, {"If-None-Match": client.get(path).headers.get("ETag", "")}) for path, _ in paths]
            p50, p95, statuses = time_requests(paths, min(COLD_REQUESTS, args.requests) if cold else args.requests,
                                               cold)
            if statuses == {expected}:
                break
        if statuses != {expected}:  # a timed error page would be a fast lie
            seen = ", ".join(map(str, sorted(statuses)))
            figures += [Figure.failed(f"site.{label}.{page}_{q}", f"HTTP {seen}, not only {expected}")
                        for q in ("p50", "p95")]
            continue
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        state = ("cache cold: a change before each request" if cold else "cache warm" if page in CACHED
                 else "not cached")
        figures += [Figure(f"site.{label}.{page}_p50", p50, "ms", f"HTTP {expected}, {state} ({cache})"),
                    Figure(f"site.{label}.{page}_p95", p95, "ms")]
    return figures


def run(args) -> Iterator[Entry]:
    from django.db import connection

    label = connection.vendor
    rng = random.Random(SEED)
    progress(f"site on {label}: seeding {args.incidents:,} incidents and {args.articles:,} articles")
    slugs = seed(args.incidents, args.articles, rng)
    seed_status_pages(args.sources, rng)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum leaves them soon after a load: without them PostgreSQL
        # guesses that a word in every article is rare and plans the search for a few rows.
        cursor.execute("ANALYZE")
    yield (f"site on {label}: {args.incidents:,} incidents, {args.articles:,} articles, {args.sources} sources, "
           f"{args.requests} requests each")
    yield from guarded([f"site.{label}.{page}_p50" for page in PAGES], lambda: measure(args, slugs, rng, label))


if __name__ == "__main__":
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--sources", type=int, default=300, help="sources in all, for the status board")
    sys.exit(main(parser, run))
