"""/healthz: is OutageHub working? JSON, 200 when healthy, 503 when not (Django).

Cheap and safe to poll often: two database queries (the sources' summary, beat's heartbeat), one broker
connection with a short timeout, no secrets (no URL, host or credential in the answer). outagehub/health.py
decides; this module observes and answers.

A load balancer or monitor probes it by the backend's own address over plain HTTP, so it is answered here,
in a middleware placed before Django's host validation (CommonMiddleware), and SECURE_REDIRECT_EXEMPT spares
it the redirect to HTTPS. That is safe because the answer never uses the Host header (no link, no redirect,
nothing cached: Cache-Control no-store) and takes no input; the rest of the site keeps both checks.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from kombu import Connection

from articles.models import Heartbeat
from articles.source_health import fetching_summary

from .health import Limits, Observations, judge

PATH = "/healthz"


def limits() -> Limits:
    return Limits(fetch_age=settings.OUTAGEHUB_HEALTH_MAX_FETCH_AGE, overdue=settings.OUTAGEHUB_HEALTH_MAX_OVERDUE,
                  beat_age=settings.OUTAGEHUB_HEALTH_MAX_BEAT_AGE)


def broker_error() -> str:
    """"" when the broker answers within OUTAGEHUB_HEALTH_BROKER_TIMEOUT seconds, else what went wrong."""
    timeout = settings.OUTAGEHUB_HEALTH_BROKER_TIMEOUT
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": timeout,
               "socket_connect_timeout": timeout}
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT", None)
    try:
        with Connection(settings.CELERY_BROKER_URL, transport=transport, transport_options=options,
                        connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            connection.default_channel  # noqa: B018 - opening a channel is what talks to the server (Redis: PING)
    except Exception as exc:  # noqa: BLE001 - any failure is the answer; only its class is shown (no credentials)
        return f"not reachable ({type(exc).__name__})"
    return ""


def observe() -> Observations:
    now = timezone.now()
    broker = broker_error()
    try:
        summary = fetching_summary(now)
        beat_at = Heartbeat.objects.filter(name=Heartbeat.DISPATCH).values_list("at", flat=True).first()
    except DatabaseError as exc:
        return Observations(now=now, database_error=f"not reachable ({type(exc).__name__})", broker_error=broker)
    return Observations(
        now=now, broker_error=broker, enabled_sources=summary.enabled, last_success_at=summary.last_success_at,
        due_sources=summary.due, oldest_due_at=summary.oldest_due_at, beat_at=beat_at,
        network_message=summary.network.message(now),
    )


def healthz(request) -> JsonResponse:
    verdict = judge(observe(), limits())
    response = JsonResponse(verdict.as_dict(), status=200 if verdict.healthy else 503)
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx response as an error; a monitor probing an unhealthy site every few seconds
    # would flood the log with it, and the answer already says what failed. Django's own flag for "logged".
    response._has_been_logged = True
    return response


class HealthzMiddleware:
    """Answer GET/HEAD /healthz before the host check and the rest of the stack (see the module's note)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
