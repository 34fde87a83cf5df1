"""How the benchmarks print: figures as aligned `name: value unit` lines grouped by section, and
progress on stderr, so stdout holds only results (for people and for the checks that read it)."""

import json
import sys
from dataclasses import asdict, dataclass
from typing import TextIO

NAME_WIDTH = 57  # fits the longest figure name, parse.feed.largest.feedparser_no_sanitizer_items_per_s
VALUE_WIDTH = 9
UNIT_WIDTH = 11

SECTION_TITLES = {
    "parse": "Parsing: adapters only, on the recorded payloads (tests/fixtures), each timed for --min-seconds",
    "store": "End to end: parse + dedupe + store into a fresh throw-away database (no HTTP)",
    "poll": "Per-poll CPU in the polling process (the HTTP server is another process), SQLite",
    "throughput": "Throughput per worker process against a local HTTP server, SQLite",
    "cluster": "Clustering: process_article on fresh news articles against a growing archive of incidents",
    "join": "Joining: process_article on a news article joining an incident of 10, 1,000 or 10,000 members",
    "site": "Pages, search, feeds and the status board: server time (p50/p95) at 10k incidents, 100k articles "
            "and 300 sources",
}


@dataclass(frozen=True)
class Figure:
    """One measured value, or why there is none (`absent`: "skipped: ..." or "error: ...")."""

    name: str
    value: float | None = None
    unit: str = ""
    note: str = ""
    absent: str = ""

    @classmethod
    def skipped(cls, name: str, why: str) -> "Figure":
        return cls(name, absent=f"skipped: {why}")

    @classmethod
    def failed(cls, name: str, what: str) -> "Figure":
        return cls(name, absent=f"error: {what}")

    @property
    def is_error(self) -> bool:
        return self.absent.startswith("error")

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]


def growth_figure(name: str, costs: dict[int, float], first: int, last: int, what: str) -> Figure:
    """How much a cost grew from the smallest size to the largest (the flat-cost targets: <= 1.5)."""
    if first in costs and last in costs:
        return Figure(name, costs[last] / costs[first], "x", f"{what}; target <= 1.5")
    return Figure.failed(name, "a size was not measured; its error is above")


# What a benchmark yields: a Figure, or a line of context (a str) printed as a comment.
Entry = Figure | str


def entry_to_json(entry: Entry) -> str:
    return json.dumps({"info": entry} if isinstance(entry, str) else asdict(entry))


def entry_from_json(line: str) -> Entry:
    data = json.loads(line)
    return data["info"] if "info" in data else Figure(**data)


def format_value(value: float) -> str:
    """Three significant digits are plenty for timings that vary by a few percent between runs."""
    if value == int(value) or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_figure(figure: Figure) -> str:
    label = f"{figure.name}:".ljust(NAME_WIDTH)
    if figure.value is None:
        return f"{label} {figure.absent}"
    line = f"{label} {format_value(figure.value):>{VALUE_WIDTH}} {figure.unit:<{UNIT_WIDTH}}"
    return f"{line} ({figure.note})" if figure.note else line.rstrip()


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


class Report:
    """Prints entries as they come, with a section title before the first figure of each section."""

    def __init__(self, out: TextIO = sys.stdout):
        self.out = out
        self.figures: dict[str, Figure] = {}
        self._section = ""

    def title(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def start_section(self, section: str) -> None:
        if section != self._section:
            self._section = section
            print(f"\n== {SECTION_TITLES.get(section, section)} ==", file=self.out, flush=True)

    def add(self, entry: Entry) -> None:
        if isinstance(entry, str):
            print(f"# {entry}", file=self.out, flush=True)
            return
        self.start_section(entry.section)
        self.figures[entry.name] = entry
        print(format_figure(entry), file=self.out, flush=True)

    @property
    def has_errors(self) -> bool:
        return any(figure.is_error for figure in self.figures.values())

    def value(self, name: str) -> float | None:
        figure = self.figures.get(name)
        return figure.value if figure else None

    def summary(self, seconds: float) -> str:
        """One line with the figures the issue is about, "n/a" for those not measured."""

        def show(name: str, unit: str = "") -> str:
            value = self.value(name)
            return "n/a" if value is None else f"{format_value(value)}{unit}"

        return (
            f"summary: news feeds parse at {show('parse.feed.items_per_s')} items/s "
            f"(feedparser+sanitizer {show('parse.feed.feedparser_sanitizer_items_per_s')}, "
            f"adapter+nh3 {show('parse.feed.nh3_items_per_s')}); "
            f"store/parse {show('store.sqlite.ratio_to_parse')} on SQLite "
            f"({show('store.sqlite.items_per_s')} items/s; PostgreSQL {show('store.postgresql.items_per_s')}); "
            f"poll CPU {show('poll.cpu_ms_304', ' ms')} on 304, {show('poll.cpu_ms_unchanged', ' ms')} unchanged; "
            f"sources/min per process: {show('throughput.repeat_poll_sources_per_min')} repeat, "
            f"{show('throughput.first_poll_sources_per_min')} first, "
            f"{show('throughput.celery_worker_sources_per_min')} via Celery; "
            f"clustering {self._clustering('sqlite')} on SQLite, PostgreSQL {self._clustering('postgresql')}; "
            f"a join {self._joining('sqlite')} on SQLite, PostgreSQL {self._joining('postgresql')}; "
            f"an alert fans out at {show('alerts.sqlite.fanout_per_s')} deliveries/s on SQLite, "
            f"PostgreSQL {show('alerts.postgresql.fanout_per_s')}; "
            f"{seconds:.0f} s in all"
        )

    def _clustering(self, database: str) -> str:
        """"38 articles/s at 100k incidents (p50 24 ms, 11 queries an article) (cost 100k/1k 0.79x)": the
        largest archive measured.
        The figure names carry the sizes (--cluster-sizes), so they are found by their shape."""
        prefix = f"cluster.{database}."
        rates = [f for name, f in self.figures.items() if name.startswith(prefix) and name.endswith(".articles_per_s")]
        if not rates or rates[-1].value is None:  # sizes are measured in ascending order
            return "n/a"
        size = rates[-1].name.split(".")[2]
        text = f"{format_value(rates[-1].value)} articles/s at {size} incidents"
        p50 = self.value(f"{prefix}{size}.ms_per_article_p50")
        queries = self.value(f"{prefix}{size}.queries_per_article")
        if p50 is not None and queries is not None:
            text += f" (p50 {format_value(p50)} ms, {format_value(queries)} queries an article)"
        return text + self._growth(f"{prefix}cost_ratio_")

    def _joining(self, database: str) -> str:
        """"21 ms at 10,000 members (cost 10000/10 1.05x)": the largest incident measured."""
        prefix = f"join.{database}."
        times = [f for name, f in self.figures.items() if name.startswith(f"{prefix}members_") and name.endswith(".ms")]
        if not times or times[-1].value is None:  # sizes are measured in ascending order
            return "n/a"
        members = int(times[-1].name.removeprefix(f"{prefix}members_").removesuffix(".ms"))
        text = f"{format_value(times[-1].value)} ms at {members:,} members"
        return text + self._growth(f"{prefix}ratio_")

    def _growth(self, ratio_prefix: str) -> str:
        """" (cost 10000/10 1.05x)": the growth figure whose name starts with ratio_prefix, if measured."""
        ratio = next((f for name, f in self.figures.items() if name.startswith(ratio_prefix)), None)
        if ratio is None or ratio.value is None:
            return ""
        sizes = ratio.name.removeprefix(ratio_prefix).replace("_to_", "/")
        return f" (cost {sizes} {format_value(ratio.value)}x)"
