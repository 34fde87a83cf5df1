"""Clock times with a zone in text, as aware UTC datetimes: "9:15 EDT", "2:30 p.m. PT",
"Jan 9, 21:09 UTC", "Friday, 2022-07-01 12:23 US/Pacific", "from 12:00 to 16:30 UTC".

A time without a zone is only kept as the start of a range whose end has one ("between 13:15
and 14:05 UTC"). The date comes from the text when it gives one, before the time ("On July 30th,
2024, between 12:15 UTC") or after it ("8:38 PM UTC on July 31, 2024"); a time without a date
takes the date of the time it ends a range with, else of the last dated time before it, else
the date that puts it at or shortly before the reference (the article's publication time).

Pure; zoneinfo only (no dateparser); every pattern is bounded and date look-ups read a short
window next to each time, so cost is linear in the text.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidents.extraction.mentions import TimeMention


def _offset(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# An abbreviation that names standard or summer time is taken literally: "9:00 PST" written in
# July is the writer's slip, but PST is what they wrote. (articles.adapters.common reads US
# abbreviations as their zone instead, because one status feed prints PST all year: a feed's
# label is a template, a reporter's is a choice.) IST is India's: the Irish and Israeli ones
# rarely appear in English outage news with a clock time.
_LITERAL_ZONES: dict[str, tzinfo] = {
    "UTC": UTC, "GMT": UTC, "WET": UTC, "WEST": _offset(1), "BST": _offset(1), "CET": _offset(1),
    "CEST": _offset(2), "EET": _offset(2), "EEST": _offset(3), "MSK": _offset(3), "IST": _offset(5.5),
    "SGT": _offset(8), "HKT": _offset(8), "AWST": _offset(8), "JST": _offset(9), "KST": _offset(9),
    "ACST": _offset(9.5), "ACDT": _offset(10.5), "AEST": _offset(10), "AEDT": _offset(11),
    "NZST": _offset(12), "NZDT": _offset(13),
    "EST": _offset(-5), "EDT": _offset(-4), "CST": _offset(-6), "CDT": _offset(-5),
    "MST": _offset(-7), "MDT": _offset(-6), "PST": _offset(-8), "PDT": _offset(-7),
    "AKST": _offset(-9), "AKDT": _offset(-8), "HST": _offset(-10),
    "Coordinated Universal Time": UTC, "Greenwich Mean Time": UTC, "British Summer Time": _offset(1),
    "Central European Time": _offset(1), "Central European Summer Time": _offset(2),
    "Eastern European Time": _offset(2), "Eastern European Summer Time": _offset(3),
    "India Standard Time": _offset(5.5), "Japan Standard Time": _offset(9),
    "Australian Eastern Standard Time": _offset(10), "Australian Eastern Daylight Time": _offset(11),
    "Eastern Standard Time": _offset(-5), "Eastern Daylight Time": _offset(-4),
    "Central Standard Time": _offset(-6), "Central Daylight Time": _offset(-5),
    "Mountain Standard Time": _offset(-7), "Mountain Daylight Time": _offset(-6),
    "Pacific Standard Time": _offset(-8), "Pacific Daylight Time": _offset(-7),
}
# Names that leave standard or summer time open mean the zone's local time on that date.
_LOCAL_ZONES = {
    "ET": "America/New_York", "Eastern": "America/New_York", "Eastern Time": "America/New_York",
    "CT": "America/Chicago", "Central": "America/Chicago", "Central Time": "America/Chicago",
    "MT": "America/Denver", "Mountain": "America/Denver", "Mountain Time": "America/Denver",
    "PT": "America/Los_Angeles", "Pacific": "America/Los_Angeles", "Pacific Time": "America/Los_Angeles",
    "CET/CEST": "Europe/Berlin", "CEST/CET": "Europe/Berlin", "UK time": "Europe/London",
}
_ZONES_BY_LOWER_NAME = {name.lower(): zone for name, zone in {**_LITERAL_ZONES, **_LOCAL_ZONES}.items()}


def _zone_alternation() -> str:
    # Abbreviations must be capitals ("ET", not the "et" of et al.); spelled-out names any case.
    names = sorted({**_LITERAL_ZONES, **_LOCAL_ZONES}, key=len, reverse=True)
    return "|".join(re.escape(name) if name.isupper() else f"(?i:{re.escape(name)})" for name in names)


# GCP writes US/Pacific; any IANA key of a known area is accepted if zoneinfo knows it.
_IANA = r"(?:US|America|Europe|Asia|Australia|Africa|Pacific|Atlantic|Canada|Etc)/[A-Za-z_]{2,30}(?:/[A-Za-z_]{2,30})?"

_CLOCK = re.compile(
    r"(?:(?<![\w:.])|(?<=\dT))(?P<hour>2[0-3]|[01]?\d)(?!\d)"  # T: 2024-07-19T04:09
    r"(?:[:.](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:\.\d{1,6})?)?(?![\d]|\.\d))?"
    r"(?P<half>\s?[AaPp]\.?\s?[Mm]\b\.?)?"
    # ISO 8601's Z, or an offset right after the seconds: 04:09:00Z, 04:09:00+02:00.
    r"(?:(?P<zulu>Z)\b|(?<=\d\d:\d\d:\d\d)(?P<iso_offset>[+-]\d{2}:?\d{2})\b"
    # or a zone after a space, perhaps in parentheses: "14:02 UTC", "16:23 (UTC)", "UTC+2".
    rf"|\s{{0,2}}(?P<open>\()?(?P<zone>{_IANA}|{_zone_alternation()})(?![A-Za-z])"
    r"(?P<utc_offset>(?<=UTC|GMT)[+\-\N{MINUS SIGN}]\d{1,2}(?::?\d{2})?(?!\d))?(?(open)\)))?"
)

_WEEKDAY = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun"
MONTH_PATTERN = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")
YEAR_PATTERN = r"(?:19|20)\d\d(?![\d:])"
_DATE = (
    r"(?:(?P<iso>\d{4}-\d\d-\d\d)"
    rf"|(?P<month>{MONTH_PATTERN})\.?\s{{1,3}}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s{{1,3}}(?P<year>{YEAR_PATTERN}))?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s{{1,3}}(?:of\s{{1,3}})?(?P<month2>{MONTH_PATTERN})(?![A-Za-z])\.?"
    rf"(?:,?\s{{1,3}}(?P<year2>{YEAR_PATTERN}))?)"
)
# A weekday, a date or both ("Friday, 2022-07-01"); the callers check that one of them is there.
_DAY = rf"(?:(?P<weekday>{_WEEKDAY})\b\.?,?\s{{0,3}})?(?:{_DATE})?"
# What may stand between a date and its time: "Jan 9, 21:09", "2024-07-19T04:09",
# "On 2023-09-19 at 20:36", "March 11, 2024 between at 18:44", "Jan 09, 2024 - 21:09".
_DATE_BEFORE = re.compile(
    # Dates start with a digit or a capital at a word start: most positions of a window fail here.
    rf"(?<!\w)(?=[A-Z\d]){_DAY}(?:T|[,\s]{{0,4}}(?:[-\u2013@]\s{{0,2}})?"
    r"(?:(?:at|from|between|beginning at|starting at|around|approximately|about|by)[,\s]{1,3}){0,2})$"
)
_DATE_AFTER = re.compile(rf"[,\s]{{1,3}}on\s{{1,3}}{_DAY}")
# Between the two ends of a range: "12:00 to 16:30 UTC", "17:39-18:12 UTC", "from Friday, April
# 8th 23:00 to Saturday, April 9th 1:00 UTC".
_RANGE_JOIN = re.compile(rf"\s{{0,3}}(?:[-\u2013\u2014]|to|and|until|till|through)\s{{0,3}}(?:{_DAY}[,\s]{{1,3}})?$")
_DATE_WINDOW = 60
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_WEEKDAYS = {name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
# Articles report what has happened; a time a little after publication is still plausible ("we
# will provide an update by 14:00 UTC"), one much later is more likely yesterday's. A date
# without a year may lie weeks ahead (announced maintenance), but not half a year.
_FUTURE_ALLOWANCE = timedelta(hours=3)
_DATE_FUTURE_ALLOWANCE = timedelta(days=60)


@dataclass(frozen=True)
class _DateSpec:
    year: int | None
    month: int | None  # None with day None: only a weekday is known
    day: int | None
    weekday: int | None


@dataclass(slots=True)
class _Clock:
    """A working record, filled in step by step: zone from a range end, then date."""

    start: int  # of the text kept: the date before the time, or the time
    end: int  # of the text kept: the zone, or the date after the time
    clock_start: int
    clock_end: int
    at: time
    zone: tzinfo | None
    date: _DateSpec | None = None
    range_start_of: int | None = None  # index of the clock this one opens a range with


def find_times(text: str, reference: datetime) -> list[TimeMention]:
    """Times with zones in the order written, each (text, instant) once, as aware UTC."""
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    clocks = _with_dates(text, _zoned(text, _clocks(text)))
    resolved: list[datetime] = []
    anchor: datetime | None = None  # the last time whose date the text gave
    for index, clock in enumerate(clocks):
        partner = clocks[clock.range_start_of] if clock.range_start_of is not None else None
        previous_in_range = (resolved[index - 1] if index and clocks[index - 1].range_start_of == index else None)
        if clock.date is not None:
            moment = _on_date(clock, clock.date, reference)
        elif partner is not None and partner.date is not None:
            moment = _on_date(clock, partner.date, reference)  # "10:30 to 16:15 UTC on January 3rd"
        elif previous_in_range is not None:
            moment = _on_day_of(clock, previous_in_range)
        elif anchor is not None:
            moment = _on_day_of(clock, anchor)
        else:
            moment = _nearest_before(clock, reference)
        if previous_in_range is not None and moment < previous_in_range and clock.date is None:
            moment += timedelta(days=1)  # "from 22:37 UTC to 04:47 UTC" ends the next day
        resolved.append(moment)
        if clock.date is not None:
            anchor = moment
    for index, clock in enumerate(clocks):  # a range start dated by its end: "from 22:00 to 01:00 UTC on Jan 3"
        if clock.date is None and clock.range_start_of is not None and resolved[index] > resolved[index + 1]:
            resolved[index] -= timedelta(days=1)
    mentions = (TimeMention(text=text[clock.start:clock.end].strip(), utc=moment)
                for clock, moment in zip(clocks, resolved, strict=True))
    return list(dict.fromkeys(mentions))


def _clocks(text: str) -> list[_Clock]:
    clocks = []
    for match in _CLOCK.finditer(text):
        if not (match["minute"] or match["half"]):
            continue  # a bare number
        hour = int(match["hour"])
        if match["half"]:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if match["half"].strip().lower().startswith("p") else 0)
        zone = _zone(match)
        at = time(hour, int(match["minute"] or 0), int(match["second"] or 0))
        end = match.end() if zone else match.end("half") if match["half"] else match.end("minute")
        clocks.append(_Clock(match.start(), end, match.start(), end, at, zone))
    return clocks


def _zone(match: re.Match) -> tzinfo | None:
    if match["zulu"]:
        return UTC
    if match["iso_offset"]:
        return _parse_offset(match["iso_offset"])
    if not match["zone"]:
        return None
    if match["utc_offset"]:
        return _parse_offset(match["utc_offset"])
    name = match["zone"]
    if "/" in name and name.lower() not in _ZONES_BY_LOWER_NAME:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    zone = _ZONES_BY_LOWER_NAME[name.lower()]
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def _parse_offset(written: str) -> tzinfo | None:
    sign = -1 if written[0] in "-\N{MINUS SIGN}" else 1
    digits = written[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _zoned(text: str, clocks: list[_Clock]) -> list[_Clock]:
    """Clocks with a zone; one without a zone is kept when it opens a range with the next."""
    for index in range(len(clocks) - 2, -1, -1):  # right to left: "1:06 and 5:43 UTC"
        clock, following = clocks[index], clocks[index + 1]
        if following.zone is not None and _RANGE_JOIN.match(text, clock.clock_end, following.clock_start):
            clock.zone = clock.zone or following.zone  # zoned pairs are ranges too: "22:37 UTC to 04:47 UTC"
            clock.range_start_of = index + 1
    kept = [index for index, clock in enumerate(clocks) if clock.zone is not None]
    new_index = {old: new for new, old in enumerate(kept)}
    for old in kept:
        clocks[old].range_start_of = new_index.get(clocks[old].range_start_of)
    return [clocks[old] for old in kept]


def _with_dates(text: str, clocks: list[_Clock]) -> list[_Clock]:
    for index, clock in enumerate(clocks):
        window_start = max(clock.clock_start - _DATE_WINDOW, clocks[index - 1].clock_end if index else 0)
        before = _DATE_BEFORE.search(text[window_start:clock.clock_start])
        if before and (spec := _date_spec(before)):
            clock.start, clock.date = window_start + before.start(), spec
            continue
        following_start = clocks[index + 1].clock_start if index + 1 < len(clocks) else len(text)
        after = _DATE_AFTER.match(text, clock.clock_end, min(following_start, clock.clock_end + _DATE_WINDOW))
        if after and (spec := _date_spec(after)):
            clock.end, clock.date = after.end(), spec
    return clocks


def _date_spec(match: re.Match) -> _DateSpec | None:
    weekday = _WEEKDAYS[match["weekday"][:3].lower()] if match["weekday"] else None
    if match["iso"]:
        year, month, day = (int(part) for part in match["iso"].split("-"))
        return _DateSpec(year, month, day, weekday)
    month_name = match["month"] or match["month2"]
    if month_name:
        day, year = match["day"] or match["day2"], match["year"] or match["year2"]
        return _DateSpec(int(year) if year else None, MONTHS[month_name[:3].lower()], int(day), weekday)
    return _DateSpec(None, None, None, weekday) if weekday is not None else None


def _at(clock: _Clock, day: date) -> datetime:
    return datetime.combine(day, clock.at, tzinfo=clock.zone).astimezone(UTC)


def _local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _on_date(clock: _Clock, spec: _DateSpec, reference: datetime) -> datetime:
    if spec.month is None:  # a weekday only: the latest such day that is not after the reference
        today = _local_date(reference, clock.zone)
        days = (today - timedelta(days=days_back) for days_back in range(-1, 8))
        return max(_at(clock, day) for day in days
                   if day.weekday() == spec.weekday and _at(clock, day) <= reference + _FUTURE_ALLOWANCE)
    years = [spec.year] if spec.year else [reference.year - 1, reference.year, reference.year + 1]
    candidates = []
    for year in years:
        try:
            candidates.append(_at(clock, date(year, spec.month, spec.day)))
        except (ValueError, OverflowError):  # 30 February, year 1 …
            continue
    # Without a year, the latest that is not far ahead: a December stamp in a January article is
    # last year's, a January one in a December article may be next year's.
    plausible = [moment for moment in candidates if moment <= reference + _DATE_FUTURE_ALLOWANCE]
    return max(plausible or candidates, default=None) or _nearest_before(clock, reference)


def _on_day_of(clock: _Clock, other: datetime) -> datetime:
    return _at(clock, _local_date(other, clock.zone))


def _nearest_before(clock: _Clock, reference: datetime) -> datetime:
    """The latest of yesterday, today and tomorrow (in the clock's zone) that is at most a
    little after the reference: published 01:00 UTC, "9:15 PM Eastern" is the evening before."""
    today = _local_date(reference, clock.zone)
    candidates = [_at(clock, today + timedelta(days=shift)) for shift in (-1, 0, 1)]
    return max(moment for moment in candidates if moment <= reference + _FUTURE_ALLOWANCE)
