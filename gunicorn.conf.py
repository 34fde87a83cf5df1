"""gunicorn's settings for OutageHub, from the environment (README "Running in production").

    gunicorn outagehub.wsgi        # reads this file from the working directory

WEB_CONCURRENCY worker processes of WEB_THREADS threads each, on OUTAGEHUB_BIND_ADDRESS:PORT; access log
on stdout, one line per request (one JSON object with LOG_FORMAT=json); graceful stop on SIGTERM.
"""

import logging
import os

from gunicorn.glogging import Logger

from outagehub.env import env_int, env_str
from outagehub.logs import FORMATS, PLAIN_FORMAT, JsonFormatter

# 127.0.0.1 behind a reverse proxy on the same machine (the safe default); 0.0.0.0 when a load balancer
# or a platform that sets PORT (a Procfile host) connects from elsewhere.
bind = [f"{env_str('OUTAGEHUB_BIND_ADDRESS', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1, maximum=65535)}"]

# Pages take a few milliseconds of CPU each and wait on the database: two processes per core, as gunicorn
# suggests, at most 8 by default so a big machine does not open more database connections than it needs.
workers = env_int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8), minimum=1, maximum=64)
# More than one thread makes gunicorn use its threaded worker; each thread holds its own database connection.
threads = env_int("WEB_THREADS", 1, minimum=1, maximum=32)

# A request still running after GUNICORN_TIMEOUT seconds has its worker restarted (no page takes long;
# feeds and search are bounded). On SIGTERM workers finish their requests for up to
# GUNICORN_GRACEFUL_TIMEOUT seconds, then stop: systemd's TimeoutStopSec must be longer.
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=5, maximum=300)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 20, minimum=1, maximum=300)
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=1, maximum=75)  # behind a proxy that reuses connections
# Restart each worker after about this many requests: a slow leak never grows without bound.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = max_requests // 10  # so the workers do not all restart at once

# gunicorn believes X-Forwarded-* headers only from FORWARDED_ALLOW_IPS (which it reads itself; by default the
# local proxy); Django decides https from X-Forwarded-Proto when OUTAGEHUB_BEHIND_TLS_PROXY=1.

# gunicorn 27 opens a control socket in $HOME by default; the service manager controls the server by
# signals, and two instances on one host would contend for the socket.
control_socket_disable = True

accesslog = "-"  # stdout; gunicorn's own messages go to stderr
loglevel = env_str("LOG_LEVEL", "INFO").lower()
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in FORMATS:
    raise SystemExit(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")


class OutageHubLogger(Logger):
    """gunicorn's logger with one access line per request that names its fields: with LOG_FORMAT=json a JSON
    object (method, path, status, bytes, duration_ms, remote, user_agent); otherwise a readable line.
    gunicorn's own messages use the same format."""

    def setup(self, cfg):
        super().setup(cfg)
        formatter = JsonFormatter() if LOG_FORMAT == "json" else logging.Formatter(PLAIN_FORMAT)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "event": "request",
            "method": environ.get("REQUEST_METHOD", ""),
            "path": path,
            "status": int(status),
            "bytes": getattr(resp, "sent", None) or 0,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote": environ.get("REMOTE_ADDR", ""),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
        }
        self.access_log.info("%s %s %s %s B %s ms %s", fields["method"], path, fields["status"], fields["bytes"],
                             fields["duration_ms"], fields["remote"], extra=fields)


logger_class = OutageHubLogger
