"""Section 5, one subprocess per database: process_article against a growing archive of incidents.

    python -m bench.clustering --database-url sqlite:////tmp/somewhere/bench.sqlite3 --sizes 1000,10000,100000

    python -m bench.clustering --database-url postgresql://.../outagehub_x --sizes 100000 --keep-archive

The archive is seeded with bulk_create, not through the pipeline: incidents spread over the last
ARCHIVE_YEARS (so most are far outside a new article's time window), each with a catalogue vendor,
1-3 of its services, the clustering profile of a synthetic title and its retrieval keys as
IncidentKey rows. The same database grows from one size to the next (1k, then 9k more, then 90k
more). At each size, fresh news articles about catalogue vendors, some several to an event (so
some join and some open), are stored untimed, then process_article is timed on each.

Every batch of articles (the warm-up, each timed round, the query count) has fresh titles and
events, published over EVENT_SPREAD before a time slot of its own; slots are SLOT_GAP apart and the
last one is now. The incidents that earlier batches opened or grew stay in the database, but
outside the later batches' time window: every batch meets the seeded archive and nothing else,
at every size, so only the archive differs.

With --keep-archive the database is not a throw-away one: an archive that an earlier run seeded
there is reused and only grown to the sizes asked for (seeding 100k incidents takes most of an hour
on a busy machine). What earlier runs clustered into it is deleted first (their sources and
articles, and every incident their articles opened or joined), and the archive is seeded back to
size: the seeded incidents removed come back as they were (each seeded incident's vendor, services
and title are drawn from its number, its time is kept), so every run meets the same archive.

On PostgreSQL the seeded archive is vacuumed and analysed, as autovacuum would have done by the time
a real archive had grown this large: the planner's statistics, and the visibility map that lets the
candidate lookup read its index alone.

Prints one JSON line per figure on stdout. Django modules are imported inside the functions: they
can only be imported once bench.child.main has configured Django for this database.
"""

import contextlib
import itertools
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from time import perf_counter

from .child import arguments, guarded, main
from .report import Entry, Figure, growth_figure, plural, progress

DEFAULT_SIZES = "1000,10000,100000"
ARCHIVE_YEARS = 3
SEED_CHUNK = 5_000  # incidents built and inserted at a time (memory stays flat at 100k)
BATCH_SIZE = 1_000  # rows per INSERT (Django lowers it further where the database needs it)
WARMUP_ARTICLES = 20  # processed untimed at every size: caches, statement preparation, page cache
NEWS_SOURCES = 8
# Each batch of articles is published over EVENT_SPREAD before a slot of its own, slots this far
# apart (the last one is now): more than twice signals.TIME_WINDOW plus EVENT_SPREAD, so the
# incidents that earlier batches opened are outside the time window of later ones.
SLOT_GAP = timedelta(days=10)
EVENT_SPREAD = timedelta(hours=36)
EVENT_SIZES = (1, 1, 1, 2, 2, 3, 4)  # articles about one event (2 on average): half follow an earlier one

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
    return [f"{prefix}.{size_label(size)}.{name}"
            for name in ("articles_per_s", "ms_per_article_p50", "lookup_ms", "queries_per_article",
                         "round_trip_us", "cpu_reference_ms")]


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
    # --keep-archive: the seeded incidents that earlier runs' articles joined, as (number, start), to
    # seed again as they were before any new one.
    restore: list[tuple[int, datetime]] = field(default_factory=list)
    # (vendor, services, title template) -> (title, profile without its times, retrieval keys)
    _shapes: dict = field(default_factory=dict)

    def shape(self, company: Company, services: tuple[Product, ...], template: int) -> tuple[str, dict, list[str]]:
        """Signals, profile and keys are computed once per shape (about 0.7 ms each): the title is
        what they depend on, the incident's time is patched into the profile."""
        cache_key = (company.pk, tuple(s.pk for s in services), template)
        if cache_key not in self._shapes:
            from incidents.clustering import scoring, signals

            title = SEED_TITLES[template].format(subject=company.subject(services[0]))
            seed = signals.signals("seed", title, "", self.now, vendors=[company.slug],
                                   services=[s.slug for s in services])
            profile = scoring.absorb(None, seed).to_dict()
            # Fingerprints name member articles, which seeded incidents do not have (a near-duplicate
            # "joins" by naming that article as the one it copies).
            profile["fingerprints"] = []
            self._shapes[cache_key] = (title, profile, sorted(k[:200] for k in signals.retrieval_keys(seed)))
        return self._shapes[cache_key]


def seeded_shape(archive: Archive, number: int) -> tuple[Company, tuple[Product, ...], int]:
    """The vendor, services and title template of seeded incident `number`, drawn from the number
    alone: an incident that a run's articles joined is seeded back as it was."""
    rng = random.Random(f"incident-{number}")
    company = rng.choice(archive.companies)
    first = rng.randrange(len(company.services))
    return company, company.services[first:first + rng.randint(1, 3)], rng.randrange(len(SEED_TITLES))


def seeded_slug(title: str, at: datetime, number: int) -> str:
    from django.utils.text import slugify

    return f"{at:%Y-%m-%d}-{slugify(title)[:100]}-{number}"


def clear_earlier_runs(archive: Archive) -> None:
    """--keep-archive: delete what earlier runs clustered into this database (every incident their
    articles opened, joined or merged away, then their sources with the articles); the untouched
    seeded incidents, which have no members, stay. The archive counts what is left, and notes the
    seeded incidents removed (known by their slug) to seed them back as they were: otherwise the
    next run's articles, which are the same, would no longer find the incidents they join."""
    from django.db.models import Q

    from articles.models import Source
    from incidents.models import Incident, IncidentKey

    clustered = Incident.objects.filter(Q(memberships__isnull=False) | Q(merged_into__isnull=False)).distinct()
    for slug, created_at in clustered.values_list("slug", "created_at"):  # a seeded one was created at its start
        number = slug.rpartition("-")[2]
        if number.isdigit():
            company, services, template = seeded_shape(archive, int(number))
            if seeded_slug(archive.shape(company, services, template)[0], created_at, int(number)) == slug:
                archive.restore.append((int(number), created_at))
    clustered.delete()
    Source.objects.filter(slug__startswith="bench-wire-").delete()
    archive.incidents, archive.keys = Incident.objects.count(), IncidentKey.objects.count()


def seed(archive: Archive, count: int, rng: random.Random) -> None:
    """Add `count` incidents, with their services and keys, in one transaction: first those to
    restore, then new ones spread over ARCHIVE_YEARS."""
    from django.db import connection, transaction
    from django.db.models import Max

    from incidents.clustering import tally
    from incidents.models import Incident, IncidentKey, Severity

    through = Incident.services.through
    span = timedelta(days=365 * ARCHIVE_YEARS).total_seconds()
    started = perf_counter()
    target = archive.incidents + count
    restored = [archive.restore.pop() for _ in range(min(count, len(archive.restore)))]
    # New ones are numbered past every incident row there is and every number restored (a seeded row's
    # id is at least its number): a number met again would give a slug an earlier run gave.
    last = max([Incident.objects.aggregate(last=Max("pk"))["last"] or 0, *(n for n, _ in restored)])
    numbered = itertools.chain(restored, ((n, None) for n in itertools.count(last + 1)))
    with transaction.atomic():
        while archive.incidents < target:
            chunk = min(SEED_CHUNK, target - archive.incidents)
            rows, extras = [], []
            for n, at in itertools.islice(numbered, chunk):
                company, services, template = seeded_shape(archive, n)
                title, profile, keys = archive.shape(company, services, template)
                at = at or archive.now - timedelta(seconds=rng.uniform(0, span))
                resolved = at + timedelta(minutes=rng.randint(20, 600))
                stamp = at.isoformat()
                rows.append(Incident(
                    slug=seeded_slug(title, at, n), title=title, vendor_id=company.pk,
                    status=Incident.Status.RESOLVED if resolved < archive.now else Incident.Status.REPORTED,
                    severity=rng.choice((Severity.UNKNOWN, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)),
                    started_at=at, first_reported_at=at, last_activity_at=min(resolved, archive.now),
                    resolved_at=resolved if resolved < archive.now else None,
                    news_count=rng.randint(1, 6), profile={**profile, "first_seen": stamp, "last_seen": stamp},
                    tally=seeded_tally(tally, company, services, at), created_at=at,
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
    if connection.vendor == "postgresql":  # what autovacuum would do soon after (see the module's docstring)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    archive.seconds = perf_counter() - started


def seeded_tally(tally, company: Company, services: tuple[Product, ...], at: datetime) -> dict:
    """The tally the pipeline would have left on a one-report incident of these services: every incident
    it makes has one, and a join adds to it (an incident without one is counted again from its members,
    which only incidents made before tallies existed need)."""
    report = tally.Share(article_id=0, published_at=at, last_changed_at=at, outlet="bench.example",
                         vendors=(company.slug,), services=tuple(service.slug for service in services))
    return tally.Tally().add(report).to_dict()


# --- the articles ---------------------------------------------------------------------------------------


def event_items(company: Company, service: Product, tag: str, first: int, count: int, rng: random.Random,
                now: datetime) -> list:
    """`count` news items about one outage, worded differently by different outlets but sharing
    its facts (vendor, service, region, error, number of reports), published over EVENT_SPREAD before `now`."""
    from articles.items import Item, ItemKind

    began = now - timedelta(minutes=rng.randint(60, int(EVENT_SPREAD.total_seconds() // 60)))
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
    """Store `count` fresh news articles (events of 1-4 articles, published over EVENT_SPREAD before
    `slot`) as polls would now; their ids in the order they were published."""
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


@dataclass
class Timings:
    """process_article times of a batch of articles, by outcome, and the share spent looking up
    candidates (incidents.pipeline.candidates_for: the one step that reads the archive)."""

    by_action: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lookup_seconds: float = 0.0
    lookups: int = 0

    @property
    def seconds(self) -> float:
        return sum(sum(times) for times in self.by_action.values())

    def add(self, other: "Timings") -> None:
        for action, times in other.by_action.items():
            self.by_action[action] += times
        self.lookup_seconds += other.lookup_seconds
        self.lookups += other.lookups


@contextlib.contextmanager
def timing_lookups(timings: Timings) -> Iterator[None]:
    """Time each candidates_for call made by process_article (a module attribute, looked up at call time)."""
    from incidents import pipeline

    original = pipeline.candidates_for

    def timed(*args, **kwargs):
        started = perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings.lookup_seconds += perf_counter() - started
            timings.lookups += 1

    pipeline.candidates_for = timed
    try:
        yield
    finally:
        pipeline.candidates_for = original


def process(ids: list[int]) -> Timings:
    """process_article on each id, timed one by one."""
    from incidents.pipeline import process_article

    timings = Timings()
    with timing_lookups(timings):
        for pk in ids:
            started = perf_counter()
            outcome = process_article(pk)
            timings.by_action[outcome.action].append(perf_counter() - started)
    return timings


def count_queries(ids: list[int]) -> tuple[float, dict[str, list[int]]]:
    """Mean SQL statements per processed article, and the counts by outcome (untimed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.pipeline import process_article

    by_action: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        connection.queries_log.clear()  # a bounded deque: once full, the context's indexes go wrong
        with CaptureQueriesContext(connection) as queries:
            outcome = process_article(pk)
        by_action[outcome.action].append(len(queries))
    counts = [n for values in by_action.values() for n in values]
    return sum(counts) / len(counts), by_action


def rows_in_window(ids: list[int]) -> list[int]:
    """For each (clustered) article: the IncidentKey rows its candidate lookup reads, i.e. rows
    with one of its keys last seen within that key's time window (signals.key_window), as
    pipeline.candidates_for selects them. What makes a lookup cost more."""
    from articles.models import Article
    from incidents import pipeline
    from incidents.clustering import signals
    from incidents.models import IncidentKey

    counts = []
    for article in Article.objects.filter(pk__in=ids, facts__is_outage=True).select_related("facts"):
        when = pipeline.article_time(article)
        keys = signals.retrieval_keys(pipeline.signals_of(article, pipeline.extract_facts(article)))
        counts.append(sum(
            IncidentKey.objects.filter(key=key, last_seen_at__gte=when - signals.key_window(key),
                                       last_seen_at__lte=when + signals.key_window(key)).count()
            for key in keys
        ))
    return counts


def machine_now(samples: int = 300) -> tuple[float, float]:
    """How fast this machine is as the rounds run, for comparing figures of different runs: the median
    round trip of a prepared statement that does nothing (SELECT 1 through the pipeline's hot cursor;
    an article's ten statements each pay one) in microseconds, and the median time of a fixed piece of
    pure-Python work in milliseconds. Both drift with the host's load."""
    from incidents.pipeline import hot_cursor

    trips = []
    with hot_cursor() as cursor:
        for _ in range(samples):
            started = perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            trips.append(perf_counter() - started)
    work = []
    for _ in range(7):
        started = perf_counter()
        counts: dict[str, int] = defaultdict(int)
        for n in range(60_000):
            counts[str(n % 997)] += n
        work.append(perf_counter() - started)
    return median(trips) * 1e6, median(work) * 1000


def describe(timings: Timings) -> str:
    """"412 joined 31 ms, 180 opened 38 ms, ...": count and median time by outcome."""
    ranked = sorted(timings.by_action.items(), key=lambda kv: -len(kv[1]))
    return ", ".join(f"{len(times)} {action.replace('_', ' ')} {median(times) * 1000:.1f} ms"
                     for action, times in ranked)


def describe_queries(by_action: dict[str, list[int]]) -> str:
    def spread(values: list[int]) -> str:
        low, high = min(values), max(values)
        return f"{low}" if low == high else f"{low}-{high}"

    return "; ".join(f"{action.replace('_', ' ')} {spread(values)}" for action, values in sorted(by_action.items()))


def measure_size(
    prefix: str, size: int, slots: Iterator[datetime], archive: Archive, sources: list, args, costs: dict[int, float]
) -> list[Figure]:
    from incidents.models import Incident, IncidentKey

    label = size_label(size)
    added = size - archive.incidents
    if added < 0:
        raise ValueError(f"the kept archive holds {archive.incidents:,} seeded incidents, more than {size:,}: "
                         "ask for larger sizes or use a fresh database")
    progress(f"{prefix}: seeding {added:,} incidents (archive {archive.incidents:,} -> {size:,})")
    seed(archive, added, random.Random(f"seed-{size}"))
    progress(f"{prefix}: seeded in {archive.seconds:.1f} s; clustering {args.articles} fresh articles "
             f"x {plural(args.rounds, 'round')}")
    rng = random.Random(f"articles-{size}")  # fresh titles and events at every size

    def batch(tag: str, count: int) -> list[int]:
        return store_batch(archive.companies, sources, tag, count, rng, next(slots))

    process(batch(f"{label}-warmup", min(WARMUP_ARTICLES, args.articles)))
    rounds: list[float] = []
    total = Timings()
    for number in range(args.rounds):
        timings = process(batch(f"{label}-r{number}", args.articles))
        rounds.append(timings.seconds)
        total.add(timings)
    per_article = median(rounds) / args.articles
    round_trip_us, cpu_reference_ms = machine_now()
    each = [t for times in total.by_action.values() for t in times]
    costs[size] = per_article
    progress(f"{prefix}: {per_article * 1000:.1f} ms an article; counting queries on {args.articles} more")
    query_ids = batch(f"{label}-q", args.articles)
    queries, by_action = count_queries(query_ids)
    rows = rows_in_window(query_ids)
    lookup_ms = total.lookup_seconds / total.lookups * 1000 if total.lookups else 0.0
    return [
        Figure(
            f"{prefix}.{label}.articles_per_s", 1 / per_article, "articles/s",
            f"{per_article * 1000:.1f} ms each; {args.articles} fresh articles a round, median of "
            f"{plural(args.rounds, 'round')}: {describe(total)} (median by outcome); "
            f"{archive.incidents:,} seeded incidents with {archive.keys:,} keys "
            f"(+{added:,} seeded in {archive.seconds:.1f} s), {Incident.objects.count():,} incidents and "
            f"{IncidentKey.objects.count():,} keys in all",
        ),
        Figure(
            f"{prefix}.{label}.ms_per_article_p50", median(each) * 1000, "ms",
            f"median process_article time over the {len(each)} timed articles of all rounds "
            f"(p90 {sorted(each)[int(len(each) * 0.9)] * 1000:.1f} ms)",
        ),
        Figure(
            f"{prefix}.{label}.lookup_ms", lookup_ms, "ms",
            f"candidates_for per clustered article, mean of {total.lookups}; it reads "
            f"{median(rows) if rows else 0:.0f} IncidentKey rows (median; max {max(rows, default=0)}) "
            "with the article's keys in the time window",
        ),
        Figure(
            f"{prefix}.{label}.queries_per_article", queries, "queries",
            f"mean over {args.articles} more fresh articles (max {max(n for v in by_action.values() for n in v)}), "
            f"by outcome: {describe_queries(by_action)}",
        ),
        Figure(
            f"{prefix}.{label}.round_trip_us", round_trip_us, "us",
            "median round trip of a prepared SELECT 1 right after the rounds: this machine's speed now (the "
            "host's load moves it); compare other runs' figures at like values",
        ),
        Figure(
            f"{prefix}.{label}.cpu_reference_ms", cpu_reference_ms, "ms",
            "median time of a fixed piece of pure-Python work right after the rounds, as above",
        ),
    ]


def run(args) -> Iterator[Entry]:
    from django.db import connection
    from django.utils import timezone

    prefix = f"cluster.{connection.vendor}"  # cluster.sqlite or cluster.postgresql
    sizes = parse_sizes(args.sizes)
    archive = Archive(load_companies(), timezone.now())
    if args.keep_archive:
        clear_earlier_runs(archive)
        progress(f"{prefix}: reusing the kept archive of {archive.incidents:,} incidents and {archive.keys:,} keys "
                 f"({len(archive.restore):,} seeded ones to restore)")
    sources = news_sources()
    costs: dict[int, float] = {}
    batches = len(sizes) * (args.rounds + 2)  # warm-up, rounds, query count
    slots = iter([archive.now - SLOT_GAP * (batches - 1 - n) for n in range(batches)])
    yield (f"{prefix}: the archive is seeded over the last {ARCHIVE_YEARS} years, then grown between sizes; "
           f"every batch of fresh articles is published over the {EVENT_SPREAD.total_seconds() / 3600:.0f} h "
           f"before a time slot of its own, {SLOT_GAP.days} days apart (the last now), so it meets the archive "
           "and no other batch's incidents")
    for index, size in enumerate(sizes):
        figures = guarded(size_names(prefix, size),
                          lambda size=size: measure_size(prefix, size, slots, archive, sources, args, costs))
        yield from figures
        if any(figure.is_error for figure in figures):
            for later in sizes[index + 1:]:  # the archive is not the size their figures would claim
                yield from (Figure.failed(name, f"not measured: the {size_label(size)} archive failed")
                            for name in size_names(prefix, later))
            break
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        yield growth_figure(ratio_name(prefix, sizes), costs, first, last,
                            f"per-article time at {size_label(last)} / at {size_label(first)} incidents")


def build_parser():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="archive sizes, ascending (the archive grows)")
    parser.add_argument("--articles", type=int, default=200, help="fresh articles clustered per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per archive size")
    parser.add_argument("--keep-archive", action="store_true",
                        help="reuse the archive an earlier run seeded in this (kept) database, growing it as needed")
    return parser


if __name__ == "__main__":
    sys.exit(main(build_parser(), run))
