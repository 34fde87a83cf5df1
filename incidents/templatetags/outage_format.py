"""How the pages write times, durations and regions: one filter each, so every page agrees.

Times are written in UTC inside <time datetime="…">; static/js/localtime.js adds the reader's own
zone and a relative time ("2 h ago") when JavaScript runs.
"""

from datetime import UTC, datetime, timedelta

from django import template
from django.utils.safestring import mark_safe

from incidents.site.timeline import region_name, status_word
from incidents.summaries.brief import format_duration

register = template.Library()


@register.filter
def utc(moment: datetime | None, style: str = "full"):
    """<time> with the moment in UTC: "27 Nov 2026 14:05 UTC", or "14:05 UTC" with style "time"."""
    if not moment:
        return ""
    moment = moment.astimezone(UTC)
    clock = style == "time"
    text = f"{moment:%H:%M} UTC" if clock else f"{moment.day} {moment:%b %Y %H:%M} UTC"
    # Nothing here comes from outside: digits, month names and fixed words need no escaping.
    return mark_safe(f'<time datetime="{moment:%Y-%m-%dT%H:%M:%S}Z" '  # noqa: S308 - digits, month names and fixed words only
                     f'data-style="{"time" if clock else "full"}">{text}</time>')


@register.filter
def duration(span: timedelta | None) -> str:
    return format_duration(span) if span is not None else ""


@register.filter(name="region_name")
def region_name_filter(label: str) -> str:
    return region_name(label)


@register.filter
def short_status(incident) -> str:
    """An incident's status badge words (see timeline.status_word)."""
    return status_word(incident.status, incident.get_status_display())


@register.filter
def age(moment: datetime | None, now: datetime) -> str:
    """How long before `now` (the time the page was made): "40 s ago", "3 min ago", "2 h ago", "4 days ago"."""
    if not moment:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
