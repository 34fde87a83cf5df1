"""Section 5, one subprocess per database: process_article against a growing archive of incidents.

    python -m bench.clustering --database-url sqlite:////tmp/somewhere/bench.sqlite3 --sizes 1000,10000,100000

The archive is seeded with bulk_create, not through the pipeline: incidents spread over the last
ARCHIVE_YEARS (so most are far outside a new article's time window), each with a catalogue vendor,
1-3 of its services, the clustering profile of a synthetic title and its retrieval keys as
IncidentKey rows. The same database grows from one size to the next (1k, then 9k more, then 90k
more). At each size, fresh news articles about catalogue vendors, dated "now", some several to an
event (so some join and some open), are stored (untimed) and then process_article is timed on each.
Fresh titles at every size; the incidents opened by earlier sizes stay (a few hundred, all recent).
Prints one JSON line per figure on stdout. Django modules are imported inside the functions: they
can only be imported once bench.child.main has configured Django for this database.
"""

import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from time import perf_counter

from .child import arguments, guarded, main
from .report import Entry, Figure, plural, progress

DEFAULT_SIZES = "1000,10000,100000"
ARCHIVE_YEARS = 3
SEED_CHUNK = 5_000  # incidents built and inserted at a time (memory stays flat at 100k)
BATCH_SIZE = 1_000  # rows per INSERT (Django lowers it further where the database needs it)
WARMUP_ARTICLES = 20  # processed untimed at every size: caches, statement preparation, page cache
NEWS_SOURCES = 8
# The articles of each size are dated in a slot of their own, this far apart (the last one ends
# now), so the incidents that earlier sizes opened are outside the time window of later ones.
SLOT_GAP = timedelta(days=10)
EVENT_SIZES = (1, 1, 1, 2, 2, 3, 4)  # articles about one event: about a third of the articles join

SEED_TITLES = (
    "{subject} outage: users unable to sign in",
    "{subject} down for thousands of users",
    "{subject} disruption causes elevated error rates",
    "Users report problems with {subject}",
    "{subject} outage knocks websites offline",
    "{subject} degraded: slow responses and timeouts",
)
# News wording: each article draws its own sentences from these, so different events share little
# text beyond what real outage reports share; articles about one event share its facts.
HEADLINES = (
    "{subject} outage hits users in {region}",
    "{subject} is down: {reports:,} reports of problems",
    "{vendor} confirms {service} disruption as users report errors",
    "{subject} outage: what we know so far",
    "{vendor} investigating {service} problems affecting {region}",
    "{subject} goes down for thousands in {region}",
    "{service} not working? {vendor} says a fix is under way",
    "{vendor} restores {service} after hours-long outage",
)
LEADS = (
    "{vendor} customers in {region} {symptom} on {weekday}, with more than {reports:,} problem reports at the peak.",
    "Thousands of {service} users {symptom} for several hours on {weekday}, according to {tracker}.",
    "{service} stopped working for many users in {region} on {weekday}, and {tracker} logged {reports:,} "
    "complaints within an hour.",
    "An outage at {vendor} left {service} users in {region} unable to work for part of {weekday}.",
    "People trying to use {service} on {weekday} {symptom}; reports peaked at {reports:,} around {hour}.",
)
ERROR_LINES = (
    "Some saw \"{error}\" messages when they tried to open {service}.",
    "Screenshots shared on social media showed \"{error}\" pages instead of the usual {service} screens.",
    "Requests to {service} returned \"{error}\" for much of the disruption.",
    "",
)
STATEMENTS = (
    "\"We're aware of an issue affecting {service} and are actively investigating,\" {vendor} said at {hour}.",
    "{vendor} acknowledged the problem on its status page and said engineers were working on a fix.",
    "A {vendor} spokesperson said the company was looking into the reports but gave no cause.",
    "{vendor} did not immediately respond to a request for comment.",
)
CLOSINGS = (
    "This is a developing story.",
    "Service appeared to be recovering by {later}, though some users still reported slow responses.",
    "Businesses that rely on {service} said their own customers felt the effects.",
    "It was not clear how many accounts were affected.",
    "",
)
TRACKERS = ("Downdetector", "outage-tracking sites", "posts on social media", "the company's own forums")
REGIONS = ("Europe", "the United States", "the UK", "Japan", "Australia", "India", "Brazil", "Germany",
           "Canada", "France", "Singapore", "South Africa")
ERRORS = ("502 Bad Gateway", "503 Service Unavailable", "500 Internal Server Error", "504 Gateway Timeout",
          "429 Too Many Requests")
SYMPTOMS = ("could not sign in", "saw pages time out", "could not load their dashboards", "lost access to their files",
            "saw payments fail", "could not connect at all")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- names and sizes (also used by bench/__main__.py, without Django) ------------------------------


def parse_sizes(text: str) -> list[int]:
    """"1000,10000,100000" -> [1000, 10000, 100000]: positive, distinct, ascending."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"archive sizes must be whole numbers, not {text!r}") from None
    if not sizes or any(size <= 0 for size in sizes) or sizes != sorted(set(sizes)):
        raise ValueError(f"archive sizes must be positive and ascending, not {text!r}")
    return sizes


def size_label(size: int) -> str:
    """1000 -> "1k", 100000 -> "100k", 1000000 -> "1M", 80 -> "80"."""
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def ratio_name(prefix: str, sizes: list[int]) -> str:
    return f"{prefix}.cost_ratio_{size_label(sizes[-1])}_to_{size_label(sizes[0])}"


def size_names(prefix: str, size: int) -> list[str]:
    return [f"{prefix}.{size_label(size)}.articles_per_s", f"{prefix}.{size_label(size)}.queries_per_article"]


def figure_names(prefix: str, sizes: list[int]) -> list[str]:
    names = [name for size in sizes for name in size_names(prefix, size)]
    return [*names, ratio_name(prefix, sizes)] if len(sizes) > 1 else names


# --- the catalogue, as the database holds it --------------------------------------------------------


@dataclass(frozen=True)
class Product:
    pk: int
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class Company:
    pk: int
    slug: str
    name: str
    services: tuple[Product, ...]

    def subject(self, service: Product) -> str:
        """"Amazon EC2", not "Amazon Web Services Amazon EC2"; "Microsoft Teams" for Teams."""
        if self.name.split()[0].lower() in service.name.lower():
            return service.name
        return f"{self.name} {service.name}"


def load_companies() -> list[Company]:
    """Catalogue vendors that have services (the seeded incidents name 1-3 of them)."""
    from incidents.models import Service, Vendor

    services: dict[int, list[Product]] = defaultdict(list)
    for s in Service.objects.order_by("pk"):
        services[s.vendor_id].append(Product(s.pk, s.slug, s.name, s.description))
    return [Company(v.pk, v.slug, v.name, tuple(services[v.pk])) for v in Vendor.objects.order_by("pk")
            if services[v.pk]]


# --- seeding the archive ------------------------------------------------------------------------------


@dataclass
class Archive:
    companies: list[Company]
    now: datetime
    incidents: int = 0
    keys: int = 0
    seconds: float = 0.0
    # (vendor, services, title template) -> (title, profile without its times, retrieval keys)
    _shapes: dict = field(default_factory=dict)

    def shape(self, company: Company, services: tuple[Product, ...], template: int) -> tuple[str, dict, list[str]]:
        """Signals, profile and keys are computed once per shape (about 0.7 ms each): the title is
        what they depend on, the incident's time is patched into the profile."""
        cache_key = (company.pk, tuple(s.pk for s in services), template)
        if cache_key not in self._shapes:
            from incidents import clustering

            title = SEED_TITLES[template].format(subject=company.subject(services[0]))
            signals = clustering.signals("seed", title, "", self.now, vendors=[company.slug],
                                         services=[s.slug for s in services])
            profile = clustering.absorb(None, signals).to_dict()
            # Fingerprints name member articles, which seeded incidents do not have (a near-duplicate
            # "joins" by naming that article as the one it copies).
            profile["fingerprints"] = []
            self._shapes[cache_key] = (title, profile, sorted(k[:200] for k in clustering.retrieval_keys(signals)))
        return self._shapes[cache_key]


def seed(archive: Archive, count: int, rng: random.Random) -> None:
    """Add `count` incidents, with their services and keys, in one transaction."""
    from django.db import connection, transaction
    from django.utils.text import slugify

    from incidents.models import Incident, IncidentKey, Severity

    through = Incident.services.through
    span = timedelta(days=365 * ARCHIVE_YEARS).total_seconds()
    started = perf_counter()
    target = archive.incidents + count
    with transaction.atomic():
        while archive.incidents < target:
            chunk = min(SEED_CHUNK, target - archive.incidents)
            rows, extras = [], []
            for n in range(archive.incidents, archive.incidents + chunk):
                company = rng.choice(archive.companies)
                first = rng.randrange(len(company.services))
                services = company.services[first:first + rng.randint(1, 3)]
                title, profile, keys = archive.shape(company, services, rng.randrange(len(SEED_TITLES)))
                at = archive.now - timedelta(seconds=rng.uniform(0, span))
                resolved = at + timedelta(minutes=rng.randint(20, 600))
                stamp = at.isoformat()
                rows.append(Incident(
                    slug=f"{at:%Y-%m-%d}-{slugify(title)[:100]}-{n}", title=title, vendor_id=company.pk,
                    status=Incident.Status.RESOLVED if resolved < archive.now else Incident.Status.REPORTED,
                    severity=rng.choice((Severity.UNKNOWN, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)),
                    started_at=at, first_reported_at=at, last_activity_at=min(resolved, archive.now),
                    resolved_at=resolved if resolved < archive.now else None,
                    news_count=rng.randint(1, 6), profile={**profile, "first_seen": stamp, "last_seen": stamp},
                    created_at=at,
                ))
                extras.append((services, keys, at))
            created = Incident.objects.bulk_create(rows, batch_size=BATCH_SIZE)  # sets pk (RETURNING)
            through.objects.bulk_create(
                [through(incident_id=incident.pk, service_id=service.pk)
                 for incident, (services, _, _) in zip(created, extras, strict=True) for service in services],
                batch_size=BATCH_SIZE,
            )
            key_rows = [IncidentKey(incident_id=incident.pk, key=key, last_seen_at=at)
                        for incident, (_, keys, at) in zip(created, extras, strict=True) for key in keys]
            IncidentKey.objects.bulk_create(key_rows, batch_size=BATCH_SIZE)
            archive.incidents += chunk
            archive.keys += len(key_rows)
            if count >= 4 * SEED_CHUNK and archive.incidents % (4 * SEED_CHUNK) == 0:
                progress(f"seeding: {archive.incidents:,} incidents, {perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":  # what autovacuum would do soon after: the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    archive.seconds = perf_counter() - started


# --- the articles ---------------------------------------------------------------------------------------


def event_items(company: Company, service: Product, tag: str, first: int, count: int, rng: random.Random,
                now: datetime) -> list:
    """`count` news items about one outage, worded differently by different outlets but sharing
    its facts (vendor, service, region, error, number of reports), dated within the last few hours."""
    from articles.items import Item, ItemKind

    began = now - timedelta(minutes=rng.randint(60, 360))
    facts = {
        "subject": company.subject(service), "vendor": company.name, "service": service.name,
        "region": rng.choice(REGIONS), "error": rng.choice(ERRORS), "symptom": rng.choice(SYMPTOMS),
        "reports": rng.randint(800, 60_000), "weekday": WEEKDAYS[began.weekday()], "hour": f"{began:%H:%M} UTC",
        "later": f"{began + timedelta(hours=3):%H:%M} UTC",
    }
    context = f"{service.name}: {service.description}." if service.description else ""
    headlines = rng.sample(HEADLINES, len(HEADLINES))
    items = []
    for variant in range(count):
        at = min(began + timedelta(minutes=rng.randint(5, 45) * (variant + 1)), now - timedelta(minutes=1))
        paragraphs = [rng.choice(LEADS), rng.choice(ERROR_LINES), rng.choice(STATEMENTS), context,
                      rng.choice(CLOSINGS)]
        text = [p.format(tracker=rng.choice(TRACKERS), **facts) for p in paragraphs if p]
        n = first + variant
        items.append(Item(
            kind=ItemKind.NEWS, external_id=f"{tag}-{n}", url=f"https://news{n % NEWS_SOURCES}.example/{tag}/{n}",
            title=headlines[variant % len(headlines)].format(**facts), published_at=at,
            content_html="".join(f"<p>{p}</p>" for p in text),
        ))
    return items


def store_batch(
    companies: list[Company], sources: list, tag: str, count: int, rng: random.Random, slot: datetime
) -> list[int]:
    """Store `count` fresh news articles (events of 1-4 articles, published in the hours before
    `slot`) as a poll would now; their ids in the order they were published."""
    from django.utils import timezone

    from articles.ingest import store_items
    from articles.models import Article

    items = []
    while len(items) < count:
        company = rng.choice(companies)
        size = min(rng.choice(EVENT_SIZES), count - len(items))
        items += event_items(company, rng.choice(company.services), tag, len(items), size, rng, slot)
    by_source = defaultdict(list)
    for n, item in enumerate(items):
        by_source[n % len(sources)].append(item)
    ids = []
    for index, batch in by_source.items():
        result = store_items(sources[index], batch, fetched_at=timezone.now(), scrape_teasers=False)
        if result.new != len(batch):
            raise RuntimeError(f"{tag}: {result.new} of {len(batch)} articles stored; the rest were deduplicated")
        ids += result.new_ids
    return list(Article.objects.filter(pk__in=ids).order_by("published_at", "pk").values_list("pk", flat=True))


def news_sources() -> list:
    from articles.models import Source

    return [Source.objects.create(name=f"Bench wire {n}", slug=f"bench-wire-{n}", kind="feed",
                                  url=f"https://news{n}.example/feed.xml") for n in range(NEWS_SOURCES)]


# --- measuring ---------------------------------------------------------------------------------------


def process(ids: list[int]) -> tuple[float, Counter]:
    """process_article on each id; seconds spent in it, and the actions taken."""
    from incidents.pipeline import process_article

    seconds = 0.0
    actions: Counter = Counter()
    for pk in ids:
        started = perf_counter()
        outcome = process_article(pk)
        seconds += perf_counter() - started
        actions[outcome.action] += 1
    return seconds, actions


def count_queries(ids: list[int]) -> tuple[float, dict[str, list[int]]]:
    """Mean SQL statements per processed article, and the counts by action (untimed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.pipeline import process_article

    by_action: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        with CaptureQueriesContext(connection) as queries:
            outcome = process_article(pk)
        by_action[outcome.action].append(len(queries))
    counts = [n for values in by_action.values() for n in values]
    return sum(counts) / len(counts), by_action


def describe(actions: Counter) -> str:
    return ", ".join(f"{count} {action.replace('_', ' ')}" for action, count in actions.most_common())


def describe_queries(by_action: dict[str, list[int]]) -> str:
    def spread(values: list[int]) -> str:
        low, high = min(values), max(values)
        return f"{low}" if low == high else f"{low}-{high}"

    return "; ".join(f"{action.replace('_', ' ')} {spread(values)}" for action, values in sorted(by_action.items()))


def measure_size(
    prefix: str, size: int, slot: datetime, archive: Archive, sources: list, args, costs: dict[int, float]
) -> list[Figure]:
    from incidents.models import Incident, IncidentKey

    label = size_label(size)
    added = size - archive.incidents
    progress(f"{prefix}: seeding {added:,} incidents (archive {archive.incidents:,} -> {size:,})")
    seed(archive, added, random.Random(f"seed-{size}"))
    progress(f"{prefix}: seeded in {archive.seconds:.1f} s; clustering {args.articles} fresh articles "
             f"x {plural(args.rounds, 'round')}")
    rng = random.Random(f"articles-{size}")  # fresh titles and events at every size
    process(store_batch(archive.companies, sources, f"{label}-warmup", min(WARMUP_ARTICLES, args.articles), rng,
                        slot))
    round_seconds, actions = [], Counter()
    for number in range(args.rounds):
        ids = store_batch(archive.companies, sources, f"{label}-r{number}", args.articles, rng, slot)
        seconds, round_actions = process(ids)
        round_seconds.append(seconds)
        actions += round_actions
    per_article = median(round_seconds) / args.articles
    costs[size] = per_article
    queries, by_action = count_queries(store_batch(archive.companies, sources, f"{label}-q", args.articles, rng, slot))
    return [
        Figure(
            f"{prefix}.{label}.articles_per_s", 1 / per_article, "articles/s",
            f"{per_article * 1000:.1f} ms each; archive of {archive.incidents:,} seeded incidents "
            f"(+{added:,} seeded in {archive.seconds:.1f} s; {archive.keys:,} keys; "
            f"{Incident.objects.count():,} incidents, {IncidentKey.objects.count():,} keys in all); "
            f"{args.articles} fresh articles a round, median of {plural(args.rounds, 'round')}: {describe(actions)}",
        ),
        Figure(
            f"{prefix}.{label}.queries_per_article", queries, "queries",
            f"mean over {args.articles} more fresh articles, by outcome: {describe_queries(by_action)}",
        ),
    ]


def run(args) -> Iterator[Entry]:
    from django.db import connection
    from django.utils import timezone

    prefix = f"cluster.{connection.vendor}"  # cluster.sqlite or cluster.postgresql
    sizes = parse_sizes(args.sizes)
    archive = Archive(load_companies(), timezone.now())
    sources = news_sources()
    costs: dict[int, float] = {}
    for index, size in enumerate(sizes):
        slot = archive.now - SLOT_GAP * (len(sizes) - 1 - index)
        figures = guarded(size_names(prefix, size),
                          lambda size=size, slot=slot: measure_size(prefix, size, slot, archive, sources, args, costs))
        yield from figures
        if any(figure.is_error for figure in figures):
            for later in sizes[index + 1:]:  # the archive is not the size their figures would claim
                yield from (Figure.failed(name, f"not measured: the {size_label(size)} archive failed")
                            for name in size_names(prefix, later))
            break
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        if first in costs and last in costs:
            yield Figure(ratio_name(prefix, sizes), costs[last] / costs[first], "x",
                         f"per-article time at {size_label(last)} / at {size_label(first)} incidents; target <= 1.5")
        else:
            yield Figure.failed(ratio_name(prefix, sizes), "a size was not measured; its error is above")


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="archive sizes, ascending (the archive grows)")
    parser.add_argument("--articles", type=int, default=200, help="fresh articles clustered per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per archive size")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
