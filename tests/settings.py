"""Settings for the test suite: the real settings module, with safe test values for what the
environment does not set. DATABASE_URL and CELERY_BROKER_URL pass through, so the same suite
runs on SQLite + filesystem broker or on PostgreSQL + Redis."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")
os.environ.setdefault("OUTAGEHUB_ALLOW_PRIVATE_SOURCES", "1")  # the tests' HTTP server is on 127.0.0.1
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Recorded feeds link to their real sites; tests that scrape turn this on and serve the page locally.
os.environ.setdefault("OUTAGEHUB_SCRAPE_TEASERS", "0")
os.environ.setdefault("OUTAGEHUB_STATIC_MANIFEST", "0")  # no collectstatic before tests
os.environ.setdefault("OUTAGEHUB_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from outagehub.settings import *  # noqa: F403 - the project's settings, then the test changes below

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user factories
