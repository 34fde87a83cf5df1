"""The load test's archive: `python -m bench.load_data --database-url URL --slugs FILE` migrates a
throw-away database, seeds it as the site benchmark does (bench/site.py: incidents, news and status
posts with updates, summaries, the search index) and writes the incident slugs, newest first, one a
line, for the load test's clients to pick from.
"""

import random
import sys
from pathlib import Path

from .child import arguments, main
from .report import Figure
from .site import SEED, seed


def run(args):
    from django.db import connection

    slugs = seed(args.incidents, args.articles, random.Random(SEED))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum leaves it soon after a load (bench/site.py says why)
    args.slugs.write_text("\n".join(slugs) + "\n")
    yield Figure("load.seeded_incidents", len(slugs), "")


if __name__ == "__main__":
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--slugs", type=Path, required=True, help="where to write the slugs, newest first")
    sys.exit(main(parser, run))
