"""Log lines: readable by default, one JSON object per line with LOG_FORMAT=json.

A JSON line carries the time, level, logger and message, and every field the code passed with
``extra=`` (a fetch's source, status, duration_ms, bytes, items_new, items_updated, error; a pipeline
step's article_id, incident_id, action, duration_ms), so a log store can filter on them. Django, the
Celery worker and beat (which leave the root logger to Django's LOGGING) and gunicorn (gunicorn.conf.py)
all use it.
"""

import json
import logging
from datetime import UTC, datetime

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("plain", "json")

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def formatter_config(log_format: str) -> dict:
    """The LOGGING "formatters" entry for LOG_FORMAT (plain or json)."""
    if log_format == "json":
        return {"()": JsonFormatter}
    return {"format": PLAIN_FORMAT}
