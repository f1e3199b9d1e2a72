"""Opening hours in local wall-clock time, turned into UTC intervals.

Weekly hours and exceptions are written the way a shop writes them ("Mon-Sat 9-19",
"closed on 25 December"), in the resource's own time zone; every computation happens on
UTC instants so that days with a DST change are as long as they really are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vitrina.core.errors import AppError
from vitrina.scheduling.errors import SchedulingErrorCode

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


@dataclass(frozen=True, slots=True)
class DayHours:
    """The local opening hours of one date, and why they differ from the week's, if so."""

    day: date
    spans: tuple[tuple[time, time | None], ...]  # end None means midnight (24:00)
    reason: str = ""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AppError(
            f"Unknown time zone {name!r}.", code=SchedulingErrorCode.INVALID_TIMEZONE
        ) from None


def _parse_span(raw: Any, where: str) -> tuple[time, time | None]:
    if not (isinstance(raw, list | tuple) and len(raw) == 2):
        raise _invalid(f'{where}: a span is a pair ["HH:MM", "HH:MM"].')
    start_s, end_s = raw
    if not (isinstance(start_s, str) and _HHMM.match(start_s) and start_s != "24:00"):
        raise _invalid(f"{where}: {start_s!r} is not a start time HH:MM.")
    if not (isinstance(end_s, str) and _HHMM.match(end_s)):
        raise _invalid(f"{where}: {end_s!r} is not an end time HH:MM (24:00 allowed).")
    start = time.fromisoformat(start_s)
    end = None if end_s == "24:00" else time.fromisoformat(end_s)
    if end is not None and end <= start:
        raise _invalid(f"{where}: {start_s}-{end_s} ends before it starts.")
    return start, end


def _parse_spans(raw: Any, where: str) -> tuple[tuple[time, time | None], ...]:
    if not isinstance(raw, list):
        raise _invalid(f"{where}: expected a list of spans.")
    spans = sorted((_parse_span(s, where) for s in raw), key=lambda s: s[0])
    for (_, prev_end), (next_start, _) in pairwise(spans):
        if prev_end is None or prev_end > next_start:
            raise _invalid(f"{where}: spans overlap.")
    return tuple(spans)


def _invalid(detail: str) -> AppError:
    return AppError(detail, code=SchedulingErrorCode.INVALID_HOURS)


def normalise_weekly_hours(raw: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Validated weekly hours; unknown weekday keys and malformed spans are refused."""
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise _invalid(f"Unknown weekdays {sorted(unknown)}; use {', '.join(WEEKDAYS)}.")
    out: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        spans = _parse_spans(raw.get(day, []), day)
        if spans:
            out[day] = [[_fmt(s), _fmt(e)] for s, e in spans]
    return out


def normalise_exceptions(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(raw):
        where = f"exceptions[{i}]"
        try:
            start = date.fromisoformat(str(item["start"]))
            end = date.fromisoformat(str(item.get("end", item["start"])))
        except (KeyError, ValueError):
            raise _invalid(f"{where}: start and end must be dates YYYY-MM-DD.") from None
        if end < start:
            raise _invalid(f"{where}: ends before it starts.")
        spans = _parse_spans(item.get("hours", []), where)
        out.append(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "hours": [[_fmt(s), _fmt(e)] for s, e in spans],
                "reason": str(item.get("reason", ""))[:200],
            }
        )
    return sorted(out, key=lambda x: x["start"])


def _fmt(t: time | None) -> str:
    return "24:00" if t is None else t.strftime("%H:%M")


def hours_on(day: date, weekly: dict[str, Any], exceptions: list[dict[str, Any]]) -> DayHours:
    for exc in exceptions:
        if exc["start"] <= day.isoformat() <= exc["end"]:
            reason = exc["reason"] or ("special hours" if exc["hours"] else "closed")
            return DayHours(day, _parse_spans(exc["hours"], "exception"), reason)
    return DayHours(day, _parse_spans(weekly.get(WEEKDAYS[day.weekday()], []), "weekly"))


def wall_clock_to_utc(day: date, at: time | None, tz: ZoneInfo) -> datetime:
    """A local time of opening hours as an instant; a time inside a DST gap moves forward."""
    if at is None:
        local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    else:
        local = datetime.combine(day, at, tzinfo=tz)
    return local.astimezone(UTC)


def open_intervals(
    *,
    weekly: dict[str, Any],
    exceptions: list[dict[str, Any]],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """UTC intervals within [start, end) when the resource is open, in order."""
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for span_start, span_end in hours_on(day, weekly, exceptions).spans:
            a = max(wall_clock_to_utc(day, span_start, tz), start)
            b = min(wall_clock_to_utc(day, span_end, tz), end)
            if a < b:
                if out and out[-1][1] >= a:
                    out[-1] = (out[-1][0], max(out[-1][1], b))
                else:
                    out.append((a, b))
        day += timedelta(days=1)
    return out


def resolve_local(value: datetime, tz: ZoneInfo) -> datetime:
    """An instant from a client's datetime: aware values as given, naive ones as wall-clock
    time in `tz`, refused when that wall-clock time does not exist or happens twice."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    first = value.replace(tzinfo=tz, fold=0)
    second = value.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise AppError(
            f"{value.isoformat()} does not exist in {tz.key}: the clocks skip it (DST change).",
            code=SchedulingErrorCode.NONEXISTENT_LOCAL_TIME,
            timezone=tz.key,
        )
    if first.utcoffset() != second.utcoffset():
        raise AppError(
            f"{value.isoformat()} happens twice in {tz.key} (DST change); "
            "send the time with its UTC offset.",
            code=SchedulingErrorCode.AMBIGUOUS_LOCAL_TIME,
            timezone=tz.key,
        )
    return first.astimezone(UTC)
