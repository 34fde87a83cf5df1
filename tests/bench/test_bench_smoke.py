"""`python -m bench` runs end to end with tiny sizes and prints every figure other checks read.
Timings are never asserted: on a busy CI machine they mean nothing."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from articles.adapters import ADAPTERS
from bench import parsing
from bench.report import Figure

ROOT = Path(__file__).resolve().parent.parent.parent
TINY = ["--min-seconds", "0.01", "--store-rounds", "1", "--sources", "5", "--max-polls", "3",
        "--time-cap", "20", "--celery-timeout", "20",
        "--cluster-sizes", "20,40,80", "--cluster-articles", "5", "--cluster-rounds", "2",
        "--join-sizes", "3,30", "--join-articles", "2",
        "--site-incidents", "40", "--site-articles", "200", "--site-requests", "5",
        "--site-sources", "60", "--alert-watches", "30", "--alert-rounds", "1"]
FIGURES = [
    "parse.feed.feedparser_sanitizer_items_per_s", "parse.feed.nh3_items_per_s",
    "parse.feed.largest.items_per_s", "parse.feed.largest.feedparser_sanitizer_items_per_s",
    "parse.feed.largest.nh3_items_per_s",
    "store.sqlite.items_per_s", "store.sqlite.ratio_to_parse", "store.sqlite.unchanged_items_per_s",
    "poll.cpu_ms_304", "poll.cpu_ms_unchanged", "poll.queries_304",
    "throughput.first_poll_sources_per_min", "throughput.repeat_poll_sources_per_min",
    "throughput.celery_worker_sources_per_min",
    *(f"cluster.sqlite.{size}.{name}" for size in (20, 40, 80)
      for name in ("articles_per_s", "ms_per_article_p50", "lookup_ms", "queries_per_article", "round_trip_us",
                   "cpu_reference_ms")),
    "cluster.sqlite.cost_ratio_80_to_20",
    "join.sqlite.members_3.ms", "join.sqlite.members_3.queries", "join.sqlite.members_30.ms",
    "join.sqlite.members_30.queries", "join.sqlite.ratio_30_to_3",
    *(f"site.sqlite.{page}_{q}" for page in ("timeline", "incident", "search_common", "search_rare", "feed",
                                             "not_modified_feed", "status", "not_modified_status",
                                             "vendor_components", "api_incidents", "not_modified_api_incidents",
                                             "api_incidents_cold") for q in ("p50", "p95")),
    *(f"site.sqlite.{page}_queries" for page in ("status", "status_filtered", "vendor_components", "api_incidents",
                                                 "api_incidents_filtered")),
    "alerts.sqlite.fanout_per_s", "alerts.sqlite.fanout_queries",
]
# Kinds with no recorded payload print "skipped"; PostgreSQL runs only when DATABASE_URL is one.
MAY_BE_SKIPPED = {"parse.azure.items_per_s", "store.postgresql.items_per_s", "cluster.postgresql.80.articles_per_s",
                  "cluster.postgresql.cost_ratio_80_to_20", "join.postgresql.ratio_30_to_3",
                  "alerts.postgresql.fanout_per_s"}
# `name: value unit (note)`, or `name: skipped: why` / `name: error: what`.
FIGURE_LINE = re.compile(
    r"^(?P<name>[a-z0-9_.]+):\s+"
    r"(?:(?P<value>\d+(?:\.\d+)?) (?P<unit>\S+)(?:\s+\(.*\))?|(?P<absent>(?:skipped|error): .*))$"
)


def printed_figures(stdout: str) -> dict[str, re.Match]:
    return {match["name"]: match for line in stdout.splitlines() if (match := FIGURE_LINE.match(line))}


def test_parsing_measures_every_adapter_kind_with_a_recorded_payload():
    figures = {entry.name: entry for entry in parsing.run(min_seconds=0.001) if isinstance(entry, Figure)}
    for kind in ADAPTERS:
        figure = figures[f"parse.{kind}.items_per_s"]
        assert (figure.value is not None and figure.value > 0) or figure.absent.startswith("skipped"), figure
    assert figures["parse.feed.items_per_s"].value > 0
    assert figures["parse.feed.feedparser_sanitizer_items_per_s"].value > 0
    assert figures["parse.feed.largest.nh3_items_per_s"].value > 0


def test_a_tiny_full_run_prints_every_figure_and_a_summary():
    # A bound against a hung child, not a speed check: the tiny run takes 30-60 s, but more than two
    # minutes on a two-core machine busy with the rest of the parallel suite (it ran out once).
    result = subprocess.run(
        [sys.executable, "-m", "bench", *TINY], cwd=ROOT, env=os.environ.copy(),
        capture_output=True, text=True, timeout=360,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = printed_figures(result.stdout)
    names = FIGURES + [f"parse.{kind}.items_per_s" for kind in ADAPTERS] + sorted(MAY_BE_SKIPPED)
    for name in names:
        assert name in figures, f"{name} not printed:\n{result.stdout}"
        match = figures[name]
        if name in MAY_BE_SKIPPED and match["absent"]:
            assert match["absent"].startswith("skipped: "), match[0]
        else:
            assert match["value"] is not None, match[0]
    assert figures["poll.queries_304"]["unit"] == "queries"
    assert figures["throughput.celery_worker_sources_per_min"]["unit"] == "sources/min"
    assert figures["cluster.sqlite.80.articles_per_s"]["unit"] == "articles/s"
    assert figures["cluster.sqlite.80.queries_per_article"]["unit"] == "queries"
    assert figures["cluster.sqlite.cost_ratio_80_to_20"]["unit"] == "x"
    assert figures["join.sqlite.members_30.ms"]["unit"] == "ms" and figures["join.sqlite.ratio_30_to_3"]["unit"] == "x"
    summary = result.stdout.rstrip().splitlines()[-1]
    assert summary.startswith("summary: ")
    assert "clustering " in summary and " at 80 incidents (p50 " in summary and "(cost 80/20 " in summary, summary
    assert "a join " in summary and " ms at 30 members (cost 30/3 " in summary, summary


def test_a_kept_clustering_archive_is_reused_with_only_the_seeded_incidents_left(tmp_path):
    database = f"sqlite:///{tmp_path / 'kept.sqlite3'}"
    command = [sys.executable, "-m", "bench.clustering", "--database-url", database, "--var-dir", str(tmp_path),
               "--sizes", "20", "--articles", "3", "--rounds", "1", "--keep-archive"]
    runs = [subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert '"cluster.sqlite.20.queries_per_article"' in run.stdout
    assert "reusing the kept archive of 0 incidents" in runs[0].stderr
    # The second run finds the seeded incidents the first run's articles left untouched (none of
    # those they opened or joined), and seeds the archive back to its size.
    kept = int(re.search(r"reusing the kept archive of (\d+) incidents", runs[1].stderr)[1])
    assert 0 < kept <= 20 and f"seeding {20 - kept} incidents (archive {kept} -> 20)" in runs[1].stderr
    # The seeded incidents that the first run's articles joined come back as they were, so the second
    # run's articles (the same) meet the same archive and end the same way.
    assert f"({20 - kept} seeded ones to restore)" in runs[1].stderr

    def outcomes(run) -> list[tuple[str, str]]:
        note = next(json.loads(line)["note"] for line in run.stdout.splitlines()
                    if '"cluster.sqlite.20.articles_per_s"' in line)
        return sorted(re.findall(r"(\d+) (joined|opened|not relevant)", note))

    assert outcomes(runs[0]) == outcomes(runs[1])
