"""Section "join", one subprocess per database: what one article joining an incident costs, by the
incident's size.

    python -m bench.joining --database-url sqlite:////tmp/somewhere/bench.sqlite3 --sizes 10,1000,10000

For each size an incident is seeded with that many news members (one opened through the pipeline,
the rest bulk-inserted with their facts, then pipeline.rebuild_from_members, as curation does), each
in a time slot of its own. Then fresh articles quoting its Microsoft 365 incident id (a hard join)
are stored untimed and process_article is timed on each: every one joins, so the figure is the join
itself. A join must not cost the incident's size: the ratio of the largest to the smallest should
stay near 1 (target <= 1.5).

Prints one JSON line per figure on stdout. Django modules are imported inside the functions: they
can only be imported once bench.child.main has configured Django for this database.
"""

import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from statistics import median
from time import perf_counter

from .child import arguments, guarded, main
from .report import Entry, Figure, growth_figure, progress

DEFAULT_SIZES = "10,1000,10000"
BATCH_SIZE = 1_000
SLOT_GAP = timedelta(days=10)  # incidents of different sizes never meet in one time window
TEMPLATES = 8  # distinct wordings among the members; facts are extracted once per wording

TITLES = (
    "Microsoft Teams outage: users unable to sign in ({n})",
    "Teams is down for thousands of users in {region} ({n})",
    "Microsoft confirms Teams disruption as users report errors ({n})",
    "Microsoft Teams not working? What we know so far ({n})",
)
BODY = (
    "Microsoft Teams users in {region} could not sign in on Tuesday, and many saw \"{error}\" pages. "
    "Microsoft said it was investigating incident {ident} in the Microsoft 365 admin center. "
    "Reports peaked at {reports:,} around midday; this is report {n} of the outage."
)
REGIONS = ("Europe", "the United States", "the UK", "Japan", "Australia", "India", "Germany", "Canada")
ERRORS = ("503 Service Unavailable", "500 Internal Server Error", "502 Bad Gateway")


def parse_sizes(text: str) -> list[int]:
    """"10,1000,10000" -> [10, 1000, 10000]: at least 2 each, distinct, ascending."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"incident sizes must be whole numbers, not {text!r}") from None
    if not sizes or any(size < 2 for size in sizes) or sizes != sorted(set(sizes)):
        raise ValueError(f"incident sizes must be at least 2 and ascending, not {text!r}")
    return sizes


def size_names(prefix: str, size: int) -> list[str]:
    return [f"{prefix}.members_{size}.ms", f"{prefix}.members_{size}.queries"]


def ratio_name(prefix: str, sizes: list[int]) -> str:
    return f"{prefix}.ratio_{sizes[-1]}_to_{sizes[0]}"


def figure_names(prefix: str, sizes: list[int]) -> list[str]:
    names = [name for size in sizes for name in size_names(prefix, size)]
    return [*names, ratio_name(prefix, sizes)] if len(sizes) > 1 else names


def item(ident: str, n: int, at: datetime, rng: random.Random, tag: str):
    from articles.items import Item, ItemKind

    words = {"n": n, "ident": ident, "region": rng.choice(REGIONS), "error": rng.choice(ERRORS),
             "reports": rng.randint(800, 60_000)}
    return Item(kind=ItemKind.NEWS, external_id=f"{tag}-{n}", url=f"https://news.example/{tag}/{n}",
                title=TITLES[n % len(TITLES)].format(**words), published_at=at,
                content_html=f"<p>{BODY.format(**words)}</p>")


def seed_incident(source, size: int, slot: datetime, rng: random.Random) -> tuple[int, str]:
    """An incident of `size` news members about one outage; its id and the vendor id its news quotes."""
    from django.db import transaction
    from django.utils import timezone

    from articles.ingest import store_items
    from articles.models import Article
    from incidents import pipeline
    from incidents.models import ArticleFacts, Incident, Membership

    ident, tag = f"MO{500000 + size}", f"seed-{size}"
    first = store_items(source, [item(ident, 0, slot, rng, tag)], fetched_at=timezone.now(), scrape_teasers=False)
    outcome = pipeline.process_article(first.new_ids[0])
    if outcome.action != "opened":
        raise RuntimeError(f"the first member of the {size}-member incident was {outcome.action}, not opened")
    incident = Incident.objects.get(pk=outcome.incident_id)
    articles = []
    for n in range(1, size):
        news = item(ident, n, slot + timedelta(seconds=n), rng, tag)
        articles.append(Article(
            source=source, kind=Article.Kind.NEWS, external_id=news.external_id, url=news.url,
            canonical_url=news.url, dedupe_url=news.url, title=news.title, body_text=news.content_html[3:-4],
            published_at=news.published_at, first_seen_at=news.published_at, last_changed_at=news.published_at,
            content_hash=f"{tag}-{n}",
        ))
    facts_by_wording = {}
    with transaction.atomic():
        created = Article.objects.bulk_create(articles, batch_size=BATCH_SIZE)
        rows = []
        for n, article in enumerate(created, 1):
            wording = n % TEMPLATES
            if wording not in facts_by_wording:
                facts_by_wording[wording] = pipeline.extract_facts(article)
            facts = facts_by_wording[wording]
            rows.append(ArticleFacts(
                article=article, is_outage=facts.is_outage, relevance_score=facts.relevance.score,
                vendors=list(facts.vendors), services=list(facts.services), incident_ids=list(facts.incident_ids),
                error_messages=list(facts.error_messages), regions=facts.region_labels, status=facts.status or "",
                content_hash=article.content_hash,
            ))
        ArticleFacts.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        Membership.objects.bulk_create([Membership(article=article, incident=incident) for article in created],
                                       batch_size=BATCH_SIZE)
        with pipeline.assignment_lock():
            pipeline.rebuild_from_members(incident)
    return incident.pk, ident


def measure_size(prefix: str, source, size: int, slot: datetime, joins: int, costs: dict[int, float]) -> list[Figure]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.ingest import store_items
    from incidents.pipeline import process_article

    rng = random.Random(f"join-{size}")
    started = perf_counter()
    incident_id, ident = seed_incident(source, size, slot, rng)
    progress(f"{prefix}: seeded an incident of {size:,} members in {perf_counter() - started:.1f} s; "
             f"timing {joins} joins")

    def fresh(n: int) -> int:
        news = item(ident, n, slot + timedelta(hours=2, seconds=n), rng, f"join-{size}")
        return store_items(source, [news], fetched_at=timezone.now(), scrape_teasers=False).new_ids[0]

    def join(article_id: int) -> None:
        outcome = process_article(article_id)
        if (outcome.action, outcome.incident_id) != ("joined", incident_id):
            raise RuntimeError(f"article {article_id} was {outcome.action}, not joined to incident {incident_id}")

    join(fresh(0))  # warm-up: caches, statement preparation
    times = []
    for n in range(1, joins + 1):
        article_id = fresh(n)
        began = perf_counter()
        join(article_id)
        times.append(perf_counter() - began)
    connection.queries_log.clear()
    article_id = fresh(joins + 1)
    with CaptureQueriesContext(connection) as queries:
        join(article_id)
    costs[size] = median(times)
    return [
        Figure(f"{prefix}.members_{size}.ms", median(times) * 1000, "ms",
               f"process_article of a news article joining an incident of {size:,} members, median of {joins}"),
        Figure(f"{prefix}.members_{size}.queries", len(queries), "queries", "SQL statements of one such join"),
    ]


def run(args) -> Iterator[Entry]:
    from django.db import connection
    from django.utils import timezone

    from articles.models import Source

    prefix = f"join.{connection.vendor}"  # join.sqlite or join.postgresql
    sizes = parse_sizes(args.sizes)
    source = Source.objects.create(name="Bench wire", slug="bench-wire", kind="feed",
                                   url="https://news.example/feed.xml")
    now = timezone.now()
    costs: dict[int, float] = {}
    yield (f"{prefix}: one incident per size, seeded with that many news members; {args.joins} fresh articles "
           "quoting its vendor incident id join it, each timed")
    for index, size in enumerate(sizes):
        slot = now - SLOT_GAP * (len(sizes) - index)
        yield from guarded(size_names(prefix, size),
                           lambda size=size, slot=slot: measure_size(prefix, source, size, slot, args.joins, costs))
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        yield growth_figure(ratio_name(prefix, sizes), costs, first, last,
                            f"join time at {last:,} / at {first:,} members")


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="incident sizes (members), ascending")
    parser.add_argument("--joins", type=int, default=20, help="timed joins per size")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
