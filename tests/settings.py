"""Settings for the test suite: the real settings module, with safe test values for what the
environment does not set. DATABASE_URL and CELERY_BROKER_URL pass through, so the same suite
runs on SQLite + filesystem broker or on PostgreSQL + Redis."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")
os.environ.setdefault("OUTAGEHUB_ALLOW_PRIVATE_SOURCES", "1")  # the tests' HTTP server is on 127.0.0.1
os.environ.setdefault("OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS", "1")  # alert receivers: the same local server
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Recorded feeds link to their real sites; tests that scrape turn this on and serve the page locally.
os.environ.setdefault("OUTAGEHUB_SCRAPE_TEASERS", "0")
os.environ.setdefault("OUTAGEHUB_STATIC_MANIFEST", "0")  # no collectstatic before tests
# Every test asks the API from 127.0.0.1, and a Redis cache is shared by the whole run: the rate-limit
# tests set a low rate themselves, each for an address of its own.
os.environ.setdefault("OUTAGEHUB_API_RATE", "1000000/min")
# Likewise the public watch form's limits; their own tests set low ones on addresses of their own.
os.environ.setdefault("OUTAGEHUB_WATCH_SIGNUP_RATE", "1000000/min")
os.environ.setdefault("OUTAGEHUB_WATCH_CONFIRMATION_RATE", "1000000/min")
# Under pytest-xdist each worker ("gw0", "gw1", ...) has a var dir of its own: its SQLite test database, its
# filesystem broker folders, its beat schedule. Processes a test starts inherit the variable, so they share
# their worker's folder and no other's.
# (The controller process sets the variable before it starts the workers, who inherit it: hence the check.)
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_var_dir = Path(os.environ.setdefault("OUTAGEHUB_VAR_DIR", str(Path(__file__).resolve().parents[1] / "var" / "test")))
if XDIST_WORKER and _var_dir.name != XDIST_WORKER:
    os.environ["OUTAGEHUB_VAR_DIR"] = str(_var_dir / XDIST_WORKER)

from outagehub.settings import *  # noqa: E402, F403 - the environment above first, then the project's settings

if XDIST_WORKER and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):  # noqa: F405
    # One Redis database for the whole run: each worker's queues, unacked messages and bindings under a
    # prefix of its own (pytest-django gives each worker its own test database the same way).
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{XDIST_WORKER}:"}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user factories
