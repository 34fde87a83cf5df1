"""OutageHub settings. Every option comes from the environment; see .env.example for the list.

The defaults run a checkout with no services at all (SQLite under var/, a filesystem broker
under var/); production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from incidents.api.ratelimit import parse_rate

from .env import cache_from_url, database_from_url, env_bool, env_int, env_list, env_period, env_str
from .logs import FORMATS as LOG_FORMATS
from .logs import formatter_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OUTAGEHUB_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (50+ random characters), or set DEBUG=1 for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "articles",
    "incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policy too (an SVG opened on its own is a document).
    "outagehub.csp.ContentSecurityPolicyMiddleware",
    # /healthz, answered before the host check (outagehub/healthz.py says why that is safe).
    "outagehub.healthz.HealthzMiddleware",
    # Static files from the app itself, compressed and cached forever by their hashed names: no CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "outagehub.urls"
WSGI_APPLICATION = "outagehub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "sqlite:///var/outagehub.sqlite3")
DATABASES = {"default": database_from_url(DATABASE_URL, BASE_DIR, VAR_DIR)}
# The pipeline's hot statements are prepared on PostgreSQL (incidents/pipeline.py hot_cursor), and an
# article's placement sends them in pipeline mode. Turn off behind a pooler in transaction mode that
# cannot carry prepared statements (PgBouncer before 1.21): both go.
OUTAGEHUB_PREPARED_STATEMENTS = env_bool("OUTAGEHUB_PREPARED_STATEMENTS", True)
if OUTAGEHUB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares nothing without a threshold (Django leaves it unset). Django's own cursors bind
    # client-side and are never prepared whatever it is; hot_cursor asks for each of its statements.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
# The pipeline's transactions (one an article placed) commit without waiting for the disk: faster, and a
# crash loses only the last moments' assignments, whose articles stay pending for the sweep (pipeline.py).
OUTAGEHUB_PIPELINE_ASYNC_COMMIT = env_bool("OUTAGEHUB_PIPELINE_ASYNC_COMMIT", False)
# Rendered pages and feeds (incidents/site/page_cache.py), keyed by the content version, so a change
# shows at once; the timeout only bounds what an old version keeps.
CACHE_URL = env_str("CACHE_URL", "locmem://")
OUTAGEHUB_PAGE_CACHE_SECONDS = env_int("OUTAGEHUB_PAGE_CACHE_SECONDS", 600, minimum=1, maximum=86400)
CACHES = {"default": cache_from_url(CACHE_URL, OUTAGEHUB_PAGE_CACHE_SECONDS)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Admin writes times as "2026-12-07 03:22 UTC": with their zone, in one unambiguous order.
FORMAT_MODULE_PATH = ["outagehub.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves the hashed, compressed copies `collectstatic` writes; development and tests
# serve the files where they are (no collectstatic needed).
OUTAGEHUB_STATIC_MANIFEST = env_bool("OUTAGEHUB_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if OUTAGEHUB_STATIC_MANIFEST else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not OUTAGEHUB_STATIC_MANIFEST

# The JSON API (/api/v1/): requests per client address and window, counted in the cache above;
# the address is REMOTE_ADDR, or X-Forwarded-For's when REMOTE_ADDR is a proxy gunicorn believes.
OUTAGEHUB_API_RATE = env_str("OUTAGEHUB_API_RATE", "120/min")
try:
    parse_rate(OUTAGEHUB_API_RATE)
except ValueError as exc:
    raise ImproperlyConfigured(f"OUTAGEHUB_API_RATE: {exc}") from None
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])

# Production hardening; `manage.py check --deploy` is clean when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OUTAGEHUB_BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes /healthz over plain HTTP; the answer holds no secret and no link.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (outagehub/csp.py): scripts, styles, images and fonts from this site only,
# none inline, not even in admin (neither the templates nor Django's admin write inline script, style
# or event handlers; the SVG charts are styled by classes). No plugins, no <base> elsewhere, forms post
# here only, and no framing (as X-Frame-Options says to older browsers).
SECURE_CSP = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# LOG_FORMAT=json: one JSON object per line, with the fields of each fetch and pipeline step (outagehub/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"console": formatter_config(LOG_FORMAT)},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Fetching ---------------------------------------------------------------------------------
# Tests and the demo serve recorded payloads from 127.0.0.1, so they switch the SSRF guard off.
OUTAGEHUB_ALLOW_PRIVATE_SOURCES = env_bool("OUTAGEHUB_ALLOW_PRIVATE_SOURCES", False)
OUTAGEHUB_USER_AGENT = env_str("OUTAGEHUB_USER_AGENT", "OutageHub/1.0 (+https://github.com/outagehub)")
# A poison source (its fetch never completes) goes to the error state after this many attempts.
OUTAGEHUB_MAX_FETCH_ATTEMPTS = env_int("OUTAGEHUB_MAX_FETCH_ATTEMPTS", 5, minimum=1, maximum=50)
# Fetches started per host per minute; more sources on one host are deferred, not failed.
OUTAGEHUB_HOST_BUDGET_PER_MINUTE = env_int("OUTAGEHUB_HOST_BUDGET_PER_MINUTE", 30, minimum=1)
# Bounds on every HTTP fetch (the upper limits are the product's promise, not just defaults).
OUTAGEHUB_FETCH_CONNECT_TIMEOUT = env_int("OUTAGEHUB_FETCH_CONNECT_TIMEOUT", 10, minimum=1, maximum=10)
OUTAGEHUB_FETCH_TOTAL_TIMEOUT = env_int("OUTAGEHUB_FETCH_TOTAL_TIMEOUT", 20, minimum=1, maximum=20)
MAX_BODY_BYTES = 15 * 1024 * 1024
OUTAGEHUB_FETCH_MAX_BYTES = env_int("OUTAGEHUB_FETCH_MAX_BYTES", MAX_BODY_BYTES, minimum=1024, maximum=MAX_BODY_BYTES)
# Fetch the article page for news items whose feed gives only a teaser.
OUTAGEHUB_SCRAPE_TEASERS = env_bool("OUTAGEHUB_SCRAPE_TEASERS", True)

# --- Alerts (incidents/alerts/) ------------------------------------------------------------------
# The absolute address of the site, for the links in alerts (confirm, unsubscribe, the incident).
OUTAGEHUB_SITE_URL = env_str("OUTAGEHUB_SITE_URL", "http://localhost:8000").rstrip("/")
# Alert destinations (webhooks) on private addresses: off, whatever OUTAGEHUB_ALLOW_PRIVATE_SOURCES says.
OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS = env_bool("OUTAGEHUB_ALLOW_PRIVATE_DESTINATIONS", False)
# One send: its total deadline (seconds) and the most of the receiver's answer read.
OUTAGEHUB_ALERT_TIMEOUT = env_int("OUTAGEHUB_ALERT_TIMEOUT", 10, minimum=1, maximum=20)
OUTAGEHUB_ALERT_MAX_RESPONSE_BYTES = env_int("OUTAGEHUB_ALERT_MAX_RESPONSE_BYTES", 64 * 1024, minimum=1024,
                                             maximum=1024 * 1024)
# The public watch form: sign-ups per client address, and confirmation messages per destination (each
# sign-up makes the server send one), as requests/period; a watch not confirmed within the hours is removed.
OUTAGEHUB_WATCH_SIGNUP_RATE = env_str("OUTAGEHUB_WATCH_SIGNUP_RATE", "10/hour")
OUTAGEHUB_WATCH_CONFIRMATION_RATE = env_str("OUTAGEHUB_WATCH_CONFIRMATION_RATE", "3/day")
for _name in ("OUTAGEHUB_WATCH_SIGNUP_RATE", "OUTAGEHUB_WATCH_CONFIRMATION_RATE"):
    try:
        parse_rate(globals()[_name])
    except ValueError as exc:
        raise ImproperlyConfigured(f"{_name}: {exc}") from None
OUTAGEHUB_WATCH_CONFIRM_HOURS = env_int("OUTAGEHUB_WATCH_CONFIRM_HOURS", 72, minimum=1, maximum=24 * 30)
# At most this many messages per watch per window (seconds); events past it wait and go as one digest.
OUTAGEHUB_ALERT_RATE_LIMIT = env_int("OUTAGEHUB_ALERT_RATE_LIMIT", 10, minimum=1, maximum=1000)
OUTAGEHUB_ALERT_RATE_WINDOW = env_int("OUTAGEHUB_ALERT_RATE_WINDOW", 60, minimum=10, maximum=120)
# Sends tried at most this often (retries: 5xx, timeouts, connection errors; never a 4xx).
OUTAGEHUB_ALERT_MAX_ATTEMPTS = env_int("OUTAGEHUB_ALERT_MAX_ATTEMPTS", 5, minimum=1, maximum=10)
# A watch whose deliveries failed this many times in a row is paused, and its owner told.
OUTAGEHUB_ALERT_PAUSE_AFTER = env_int("OUTAGEHUB_ALERT_PAUSE_AFTER", 5, minimum=1, maximum=100)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OutageHub <alerts@localhost>")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)

# --- Summaries --------------------------------------------------------------------------------
# "offline" (default: deterministic, no network) or "llm" (an OpenAI-compatible chat-completions
# endpoint, e.g. a local Ollama; its answer is used only when the faithfulness check passes).
OUTAGEHUB_SUMMARY_BACKEND = env_str("OUTAGEHUB_SUMMARY_BACKEND", "offline")
OUTAGEHUB_LLM_BASE_URL = env_str("OUTAGEHUB_LLM_BASE_URL", "")
OUTAGEHUB_LLM_MODEL = env_str("OUTAGEHUB_LLM_MODEL", "")
OUTAGEHUB_LLM_API_KEY = env_str("OUTAGEHUB_LLM_API_KEY", "")
OUTAGEHUB_LLM_TIMEOUT = env_int("OUTAGEHUB_LLM_TIMEOUT", 30, minimum=1, maximum=50)
if OUTAGEHUB_SUMMARY_BACKEND not in ("offline", "llm"):
    raise ImproperlyConfigured(f"OUTAGEHUB_SUMMARY_BACKEND={OUTAGEHUB_SUMMARY_BACKEND!r}: use offline or llm.")
if OUTAGEHUB_SUMMARY_BACKEND == "llm" and not (OUTAGEHUB_LLM_BASE_URL and OUTAGEHUB_LLM_MODEL):
    raise ImproperlyConfigured(
        "OUTAGEHUB_SUMMARY_BACKEND=llm needs OUTAGEHUB_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1) "
        "and OUTAGEHUB_LLM_MODEL."
    )
# The least time between two versions of an incident's summary, so a burst of new sources costs one
# rewrite; a change after a quiet spell is written within seconds (incidents/summaries/timing.py).
OUTAGEHUB_SUMMARY_DEBOUNCE = env_int("OUTAGEHUB_SUMMARY_DEBOUNCE", 60, minimum=0, maximum=3600)
# How often beat hands due summaries to workers: a due summary waits at most this long (a cheap indexed query).
OUTAGEHUB_SUMMARY_PERIOD = env_period("OUTAGEHUB_SUMMARY_PERIOD", 10, minimum=10, maximum=3600)
# Hours without a new report after which a press-only incident is "no recent reports", not ongoing.
OUTAGEHUB_QUIET_HOURS = env_int("OUTAGEHUB_QUIET_HOURS", 12, minimum=1, maximum=24 * 30)

# --- Celery -----------------------------------------------------------------------------------
# Every countdown, retry backoff and time limit stays below the Redis visibility timeout, or a
# task still running would be handed to a second worker (tests/outagehub/test_celery_settings.py).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
# 300 s, not kombu's hour: it is how long the tasks a whole worker held when it was killed stay parked
# in Redis before another worker gets them. It must exceed the longest a live worker holds a message
# unacknowledged: a retry's countdown (RETRY_POLICY, ≤ 120 s) plus the hard time limit (90 s).
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 300, minimum=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport, with messages written atomically (outagehub/filesystem_broker.py says why).
    CELERY_BROKER_TRANSPORT = "outagehub.filesystem_broker:Transport"
    BROKER_DIR = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange bindings; kombu's default is ./control under whatever directory the process started in.
        "control_folder": str(BROKER_DIR / "control"),
        # The filesystem transport polls its folder; at its default of once a second a worker took
        # about two tasks a second (measured under `make demo`).
        "polling_interval": 0.1,
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "memory://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r} is not supported; use redis://host:6379/0 or filesystem://."
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Processes per `celery worker` (the Procfile and deploy/ units pass none); unset, Celery's default: one per core.
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 0, minimum=1, maximum=64) or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Measured: with Celery's defaults a SIGKILLed worker loses the task it held; these redeliver it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=25)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=30)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A pool child is replaced after this many tasks, so a slow leak (parsers, the LLM client) stays bounded;
# 0 keeps children for ever.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 1000, minimum=0) or None
# A message Redis refuses (restarting) is retried for a few seconds; what still fails stays pending in
# the database, and the sweeps below hand it on again (docs/architecture.md, "Nothing lost").
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 4, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task running when the broker connection drops finishes its work: its rows are in the database,
# and whatever it could not hand on is pending there. Cancelling it would only redo the work.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Articles stored and not processed, and summaries leased and not written, are handed on again after
# this many seconds. Above the hard time limit, so a task still running is never doubled.
OUTAGEHUB_REDELIVER_AFTER = env_int("OUTAGEHUB_REDELIVER_AFTER", 300, minimum=120, maximum=86400)
# The beat table: name -> (task, period in seconds; 0 turns the entry off). `expires` sits just under
# the period so a backed-up queue never runs an old tick next to a new one.
OUTAGEHUB_DISPATCH_PERIOD = env_period("OUTAGEHUB_DISPATCH_PERIOD", 60, minimum=10, maximum=3600)
OUTAGEHUB_REAP_PERIOD = env_period("OUTAGEHUB_REAP_PERIOD", 60, minimum=30, maximum=3600)
OUTAGEHUB_SWEEP_PERIOD = env_period("OUTAGEHUB_SWEEP_PERIOD", 60, minimum=10, maximum=3600)
OUTAGEHUB_QUIET_CHECK_PERIOD = env_period("OUTAGEHUB_QUIET_CHECK_PERIOD", 300, minimum=60, maximum=86400)
OUTAGEHUB_ALERTS_PERIOD = env_period("OUTAGEHUB_ALERTS_PERIOD", 10, minimum=10, maximum=3600)
BEAT_TASKS = {
    "enqueue-due-sources": ("articles.tasks.enqueue_due_sources", OUTAGEHUB_DISPATCH_PERIOD),
    "enqueue-due-summaries": ("incidents.tasks.enqueue_due_summaries", OUTAGEHUB_SUMMARY_PERIOD),
    "reap-stale-claims": ("articles.tasks.reap_stale_claims", OUTAGEHUB_REAP_PERIOD),
    "sweep-pending-articles": ("articles.tasks.sweep_pending_articles", OUTAGEHUB_SWEEP_PERIOD),
    # Press-only incidents past the quiet period become "no recent reports" without waiting for news.
    "quieten-incidents": ("incidents.tasks.quieten_incidents", OUTAGEHUB_QUIET_CHECK_PERIOD),
    # Incidents whose alerts are due (a changed state), deliveries whose message was lost, digests due.
    "enqueue-due-alerts": ("incidents.tasks.enqueue_due_alerts", OUTAGEHUB_ALERTS_PERIOD),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": period, "options": {"expires": period * 0.9}}
    for name, (task, period) in BEAT_TASKS.items() if period
}
# --- /healthz ---------------------------------------------------------------------------------
# Past these ages (seconds) /healthz answers 503: no source fetched successfully, a due source not
# taken, the dispatch task (beat's heartbeat) not run. The broker must answer within the timeout.
OUTAGEHUB_HEALTH_MAX_FETCH_AGE = env_int("OUTAGEHUB_HEALTH_MAX_FETCH_AGE", 1800, minimum=60)
OUTAGEHUB_HEALTH_MAX_OVERDUE = env_int("OUTAGEHUB_HEALTH_MAX_OVERDUE", 5 * OUTAGEHUB_DISPATCH_PERIOD, minimum=30)
OUTAGEHUB_HEALTH_MAX_BEAT_AGE = env_int("OUTAGEHUB_HEALTH_MAX_BEAT_AGE", 3 * OUTAGEHUB_DISPATCH_PERIOD, minimum=30)
OUTAGEHUB_HEALTH_BROKER_TIMEOUT = env_int("OUTAGEHUB_HEALTH_BROKER_TIMEOUT", 2, minimum=1, maximum=10)

if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be above CELERY_TASK_SOFT_TIME_LIMIT.")
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must stay below CELERY_BROKER_VISIBILITY_TIMEOUT.")
if OUTAGEHUB_ALERT_TIMEOUT >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("OUTAGEHUB_ALERT_TIMEOUT must stay below CELERY_TASK_SOFT_TIME_LIMIT: one send must "
                               "fit in a task.")
if OUTAGEHUB_REDELIVER_AFTER <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("OUTAGEHUB_REDELIVER_AFTER must be above CELERY_TASK_TIME_LIMIT, or a task still "
                               "running would be handed on a second time.")
