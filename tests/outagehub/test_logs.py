"""Log lines (outagehub/logs.py): one JSON object per line with LOG_FORMAT=json, carrying the fields of each
fetch and pipeline step; readable lines by default."""

import json
import logging
import sys

import pytest

from articles.tasks import fetch_source
from incidents.tasks import process_article, write_summary
from outagehub.logs import PLAIN_FORMAT, JsonFormatter, formatter_config
from tests.factories import ItemFactory, SourceFactory, stored


def json_lines(caplog, logger: str) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == logger]


def test_a_json_line_holds_time_level_logger_message_and_every_extra_field():
    record = logging.LogRecord("articles.tasks", logging.WARNING, __file__, 1, "fetched %s", ("ars",), None)
    record.source, record.duration_ms = "ars", 12
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "WARNING" and parsed["logger"] == "articles.tasks"
    assert parsed["message"] == "fetched ars" and parsed["time"].endswith("+00:00")
    assert parsed["source"] == "ars" and parsed["duration_ms"] == 12


def test_an_exception_and_its_traceback_stay_inside_the_one_line():
    try:
        raise ValueError("bad\nfeed")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    exception = json.loads(line)["exception"]
    assert exception.startswith("Traceback") and exception.endswith("ValueError: bad\nfeed")


def test_the_format_is_chosen_by_log_format():
    assert formatter_config("json") == {"()": JsonFormatter}
    assert formatter_config("plain") == {"format": PLAIN_FORMAT}


@pytest.mark.django_db
def test_a_fetch_logs_one_line_with_source_status_duration_bytes_items_and_error(http_server, caplog):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    ok = SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    gone = SourceFactory(slug="gone", url=http_server.url("/misbehave/status?code=410"))
    with caplog.at_level(logging.INFO, logger="articles.tasks"):
        fetch_source.apply(args=(ok.pk,))
        fetch_source.apply(args=(gone.pk,))
    fetched, failed = [line for line in json_lines(caplog, "articles.tasks") if line.get("event") == "fetch"]
    assert fetched["source"] == "ars" and fetched["status"] == "changed" and fetched["http_status"] == 200
    assert fetched["items_new"] == 20 and fetched["items_updated"] == 0 and fetched["error"] == ""
    assert fetched["bytes"] > 10_000 and isinstance(fetched["duration_ms"], int)
    assert failed["source"] == "gone" and failed["status"] == "error" and failed["http_status"] == 410
    assert failed["error"].startswith("HTTP 410 Gone")
    assert "gone" in failed["message"] and "HTTP 410 Gone" in failed["message"]  # readable without JSON too


@pytest.mark.django_db
def test_each_pipeline_step_logs_its_article_incident_action_and_duration(caplog):
    press = SourceFactory(name="Ars Technica")
    article = stored(press, ItemFactory(title="Widespread Cloudflare outage blamed on mysterious traffic spike"))
    with caplog.at_level(logging.INFO, logger="incidents.tasks"):
        process_article.apply(args=(article.pk,))
    [step] = [line for line in json_lines(caplog, "incidents.tasks") if line.get("step") == "process_article"]
    assert step["event"] == "pipeline" and step["article_id"] == article.pk and step["action"] == "opened"
    assert isinstance(step["incident_id"], int) and isinstance(step["duration_ms"], int)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="incidents.tasks"):
        write_summary.apply(args=(step["incident_id"],))
    [summary] = [line for line in json_lines(caplog, "incidents.tasks") if line.get("step") == "write_summary"]
    assert summary["incident_id"] == step["incident_id"] and summary["action"] == "written"
