"""`make bench` (`python -m bench`): how fast OutageHub parses, stores and polls. Figures only.

Sections, printed as aligned `name: value unit` lines (other checks read these names):

    parse.*       the adapters on the recorded payloads (tests/fixtures), in the parent process
    store.*       parse + dedupe + store into a throw-away database, one subprocess per database
    poll.*        CPU per poll_source call against a local HTTP server in another process, on SQLite
    throughput.*  sources polled per minute by one worker process: sequentially and via Celery
    cluster.*     process_article against an archive of 1k, 10k and 100k incidents, per database
    join.*        process_article joining an incident of 10, 1,000 and 10,000 members, per database

Nothing here passes or fails on time: the figures are for people and for trend checks. Each
benchmark bounds its own loops, and every process and temporary file it makes is removed at the
end, on Ctrl-C too.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "tests" / "fixtures"
