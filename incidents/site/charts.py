"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, readable by screen
readers through role="img", <title> and <desc>. Colours come from the page's CSS classes
(bar, sev-N, axis, label), so the light and dark themes apply.

Pure: plain data in, escaped SVG markup out.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from html import escape

from incidents.site.timeline import Lane
from incidents.summaries.brief import format_duration

WIDTH = 800
LABEL_WIDTH = 150  # the vendor names left of the 7-day lanes
LANE_HEIGHT = 22
AXIS_HEIGHT = 20
MIN_BAR = 3  # a 5-minute blip is still visible
DAY_LABEL_WIDTH = 40


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: list[str],
         css_class: str = "chart", aspect: str = "xMinYMin meet") -> str:
    chart_id = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="{aspect}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>"
    )


def _clock(moment: datetime) -> str:
    return f"{moment:%d %b %H:%M} UTC"


def week_timeline(lanes: list[Lane], start: datetime, end: datetime, chart_id: str = "week") -> str:
    """Bars of incident durations between `start` and `end` (7 days), one lane per vendor. An
    ongoing incident's bar runs to `end`; bars are clipped to the window."""
    span = (end - start).total_seconds()
    plot = WIDTH - LABEL_WIDTH
    height = AXIS_HEIGHT + max(1, len(lanes)) * LANE_HEIGHT

    def x(moment: datetime) -> float:
        seconds = min(max((moment - start).total_seconds(), 0), span)
        return LABEL_WIDTH + plot * seconds / span

    body = []
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        if day >= start:
            left = x(day)
            body.append(f'<line class="axis" x1="{left:.1f}" y1="{AXIS_HEIGHT - 4}" x2="{left:.1f}" y2="{height}"/>')
            if left < WIDTH - DAY_LABEL_WIDTH:  # a day that starts at the right edge has no room for its name
                body.append(f'<text class="label" x="{left + 3:.1f}" y="{AXIS_HEIGHT - 7}">{day:%a %d}</text>')
        day += timedelta(days=1)
    count = 0
    for row, lane in enumerate(lanes):
        top = AXIS_HEIGHT + row * LANE_HEIGHT
        body.append(f'<text class="label" x="4" y="{top + LANE_HEIGHT * 0.68:.1f}">{escape(lane.name[:22])}</text>')
        for bar in lane.bars:
            count += 1
            left = x(bar.start)
            width = max(x(bar.end or end) - left, MIN_BAR)
            lasted = (f"{_clock(bar.start)} to {_clock(bar.end)} ({format_duration(bar.end - bar.start)})"
                      if bar.end else f"since {_clock(bar.start)}, ongoing")
            ongoing = " ongoing" if bar.end is None else ""
            body.append(
                f'<rect class="bar sev-{int(bar.severity)}{ongoing}" x="{left:.1f}" y="{top + 4}" '
                f'width="{width:.1f}" height="{LANE_HEIGHT - 8}" rx="2">'
                f"<title>{escape(bar.title)}: {escape(lasted)}</title></rect>"
            )
    if not lanes:
        body.append(f'<text class="label" x="{LABEL_WIDTH}" y="{AXIS_HEIGHT + 15}">No incidents in these 7 days</text>')
    description = (f"{count} incident{'s' if count != 1 else ''} of {len(lanes)} vendor"
                   f"{'s' if len(lanes) != 1 else ''} between {_clock(start)} and {_clock(end)}: "
                   + "; ".join(f"{lane.name} {len(lane.bars)}" for lane in lanes))
    return _svg(chart_id, WIDTH, height, "Incidents of the last 7 days, by vendor", description, body)


def monthly_bars(counts: list[tuple[date, int]], subject: str, chart_id: str = "months") -> str:
    """One bar per month with its count above it and the month below; the description lists every
    month's count, so the chart is readable without seeing it."""
    width, height, bottom, top = 600, 170, 140, 18
    slot = width / max(1, len(counts))
    highest = max((n for _, n in counts), default=0) or 1
    body = [f'<line class="axis" x1="0" y1="{bottom}" x2="{width}" y2="{bottom}"/>']
    for index, (month, number) in enumerate(counts):
        centre = slot * index + slot / 2
        bar_height = (bottom - top - 14) * number / highest
        body.append(
            f'<rect class="bar" x="{centre - slot * 0.35:.1f}" y="{bottom - bar_height:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{bar_height:.1f}"><title>{month:%b %Y}: {number}</title></rect>'
        )
        body.append(f'<text class="label" text-anchor="middle" x="{centre:.1f}" '
                    f'y="{bottom - bar_height - 4:.1f}">{number}</text>')
        label = f'<text class="label" text-anchor="middle" x="{centre:.1f}" y="{{}}">{{}}</text>'
        body.append(label.format(bottom + 14, f"{month:%b}"))
        if index == 0 or month.month == 1:  # the year under the first month and each January
            body.append(label.format(bottom + 27, month.year))
    title = f"Incidents per month of {subject}"
    if counts:
        title += f", {counts[0][0]:%b %Y} to {counts[-1][0]:%b %Y}"
    description = "; ".join(f"{month:%b %Y}: {number}" for month, number in counts)
    return _svg(chart_id, width, height, title, description or "No months", body)


@lru_cache(maxsize=1024)
def _day_label(day: datetime) -> str:
    """Every strip of a page names the same days: format each once (strftime was half a strip's cost)."""
    return f"{day:%d %b %Y}"


@lru_cache(maxsize=4096)
def _strip_cell(index: int, day: datetime, state: str) -> str:
    """One day's cell. The strips of a page share their days and mostly their states: each cell is made once."""
    word = state.replace("_", " ") if state else "not known"
    return (f'<rect class="cell state-{escape(state or "none")}" x="{index * STRIP_CELL}" y="0" '
            f'width="{STRIP_CELL - 1}" height="{STRIP_HEIGHT}"><title>{_day_label(day)}: {escape(word)}</title></rect>')


STRIP_CELL = 6  # one day; the strip scales to its box, so 90 days fit a phone
STRIP_HEIGHT = 24


def component_strip(name: str, days: list[tuple[datetime, str]], uptime: float | None, chart_id: str) -> str:
    """One cell per day, coloured by the component's worst state that day (class state-<state>, or
    state-none before we knew it); each cell's title and the description say the day and state."""
    body = [_strip_cell(index, day, state) for index, (day, state) in enumerate(days)]
    bad = [f"{_day_label(day)}: {state.replace('_', ' ')}" for day, state in days
           if state and state != "operational"]
    span = f"{days[0][0]:%d %b %Y} to {days[-1][0]:%d %b %Y}" if days else "no days"
    uptime_words = f"uptime {uptime:.2f}%" if uptime is not None else "uptime not known"
    description = f"{name}, {span}, {uptime_words}. " + ("; ".join(bad) if bad else "No day worse than operational.")
    # The cells stretch to the width of the page, whatever the screen: no aspect ratio kept.
    return _svg(chart_id, STRIP_CELL * max(1, len(days)), STRIP_HEIGHT, f"{name}: its state each day", description,
                body, css_class="chart strip", aspect="none")
