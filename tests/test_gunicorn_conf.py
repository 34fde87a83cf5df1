"""gunicorn.conf.py: its settings come from the environment, and its access log is one line per request
(one JSON object with LOG_FORMAT=json)."""

import json
import logging
import runpy
from datetime import timedelta
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "PORT", "OUTAGEHUB_BIND_ADDRESS", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_workers_threads_and_bind_come_from_the_environment(monkeypatch):
    conf = load(monkeypatch, WEB_CONCURRENCY="3", WEB_THREADS="4", PORT="9123", OUTAGEHUB_BIND_ADDRESS="0.0.0.0")
    assert (conf["workers"], conf["threads"], conf["bind"]) == (3, 4, ["0.0.0.0:9123"])
    defaults = load(monkeypatch)
    assert defaults["bind"] == ["127.0.0.1:8000"] and 1 <= defaults["workers"] <= 8 and defaults["threads"] == 1
    assert defaults["graceful_timeout"] < defaults["timeout"]  # a stop never outlasts a stuck request's limit


class Response:  # what gunicorn hands its logger: the status line, headers and the bytes sent
    status, headers, sent = "200 OK", [("Content-Type", "text/html")], 5120


class Request:
    headers = [("HOST", "outagehub.example")]


def access_line(monkeypatch, capsys, log_format: str) -> str:
    conf = load(monkeypatch, LOG_FORMAT=log_format)
    config = Config()
    config.set("accesslog", "-")
    logger = conf["OutageHubLogger"](config)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/feeds/incidents.atom", "QUERY_STRING": "vendor=github",
               "REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "NetNewsWire", "SERVER_PROTOCOL": "HTTP/1.1",
               "RAW_URI": "/feeds/incidents.atom?vendor=github"}
    logger.access(Response(), Request(), environ, timedelta(milliseconds=12.5))
    for handler in logging.getLogger("gunicorn.access").handlers:
        handler.flush()
    [line] = capsys.readouterr().out.splitlines()
    return line


def test_with_log_format_json_each_request_is_one_json_object_with_its_fields(monkeypatch, capsys):
    line = json.loads(access_line(monkeypatch, capsys, "json"))
    assert line["logger"] == "gunicorn.access" and line["event"] == "request"
    assert (line["method"], line["path"], line["status"], line["bytes"]) == (
        "GET", "/feeds/incidents.atom?vendor=github", 200, 5120)
    assert (line["duration_ms"], line["remote"], line["user_agent"]) == (12.5, "10.0.0.7", "NetNewsWire")


def test_by_default_each_request_is_one_readable_line(monkeypatch, capsys):
    line = access_line(monkeypatch, capsys, "plain")
    assert line.endswith("INFO gunicorn.access: GET /feeds/incidents.atom?vendor=github 200 5120 B 12.5 ms 10.0.0.7")
