import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from outagehub.env import database_from_url, env_bool, env_int, env_period

ROOT = Path(__file__).resolve().parent.parent.parent


def test_booleans_accept_the_usual_words_and_reject_typos(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG='ture' is not a boolean"):
        env_bool("FLAG")


def test_integers_are_checked_against_their_bounds(monkeypatch):
    monkeypatch.setenv("N", "5")
    assert env_int("N", 1, minimum=1, maximum=10) == 5
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("N", 1, minimum=1)
    monkeypatch.setenv("N", "five")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 1)


def test_database_urls_for_sqlite_and_postgres(tmp_path):
    sqlite = database_from_url("sqlite:///var/db.sqlite3", tmp_path, tmp_path / "var")
    assert sqlite["ENGINE"].endswith("sqlite3") and sqlite["NAME"] == str(tmp_path / "var/db.sqlite3")
    assert database_from_url("sqlite:////abs/db.sqlite3", tmp_path, tmp_path)["NAME"] == "/abs/db.sqlite3"
    pg = database_from_url("postgres://app:s%40cret@db.internal:5433/outagehub?sslmode=require", tmp_path, tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "outagehub", "app", "s@cret", "db.internal", "5433")
    assert pg["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme 'mysql'"):
        database_from_url("mysql://x/y", tmp_path, tmp_path)


def _manage(args, **env):
    # Start from the machine's environment minus every setting the test suite itself sets.
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT"}
             and not k.startswith("OUTAGEHUB_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage(["check"])
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="prod-" + "k3y" * 20,
        ALLOWED_HOSTS="outagehub.example",
        DATABASE_URL="postgres://outagehub@db.internal:5432/outagehub",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        OUTAGEHUB_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_broker_url_is_a_clear_error_at_start_up():
    result = _manage(["check"], DEBUG="1", CELERY_BROKER_URL="amqp://guest@localhost//")
    assert result.returncode != 0 and "CELERY_BROKER_URL='amqp://guest@localhost//' is not supported" in result.stderr


@pytest.mark.parametrize("name", ["OUTAGEHUB_API_RATE", "OUTAGEHUB_WATCH_SIGNUP_RATE",
                                  "OUTAGEHUB_WATCH_CONFIRMATION_RATE"])
def test_a_bad_rate_is_a_clear_error_at_start_up(name):
    result = _manage(["check"], DEBUG="1", **{name: "120 per minute"})
    assert result.returncode != 0 and f"{name}: '120 per minute' is not a rate" in result.stderr


def test_a_period_of_zero_turns_a_periodic_task_off(monkeypatch):
    monkeypatch.setenv("OUTAGEHUB_X_PERIOD", "0")
    assert env_period("OUTAGEHUB_X_PERIOD", 60, minimum=10, maximum=3600) == 0
    monkeypatch.setenv("OUTAGEHUB_X_PERIOD", "5")
    with pytest.raises(ImproperlyConfigured, match="OUTAGEHUB_X_PERIOD=5 is below the minimum of 10; use 0"):
        env_period("OUTAGEHUB_X_PERIOD", 60, minimum=10, maximum=3600)


def test_beat_entries_and_worker_limits_come_from_the_environment():
    script = ("import json; from django.conf import settings as s; print(json.dumps({'beat': {n: e['schedule'] "
              "for n, e in s.CELERY_BEAT_SCHEDULE.items()}, 'per_child': s.CELERY_WORKER_MAX_TASKS_PER_CHILD}))")
    result = _manage(["shell", "-c", script], DEBUG="1", OUTAGEHUB_DISPATCH_PERIOD="0", OUTAGEHUB_SWEEP_PERIOD="120",
                     CELERY_WORKER_MAX_TASKS_PER_CHILD="50")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout.strip().splitlines()[-1])  # after the shell's own line
    assert printed == {"beat": {"enqueue-due-summaries": 10, "reap-stale-claims": 60, "sweep-pending-articles": 120,
                                "quieten-incidents": 300, "enqueue-due-alerts": 10}, "per_child": 50}


def test_an_unknown_log_format_is_a_clear_error_at_start_up():
    result = _manage(["check"], DEBUG="1", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT='xml': use plain or json." in result.stderr


def test_log_format_json_makes_every_line_a_json_object():
    result = _manage(["shell", "-c", "import logging; logging.getLogger('outagehub').warning('hello')"],
                     DEBUG="1", LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert '"message": "hello"' in line and line.startswith("{") and line.endswith("}")
