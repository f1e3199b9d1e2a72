"""Free slots and the reasons a slot is not offered, computed from plain data.

Everything here is pure: the service loads resources and their busy blocks, this module
decides. Instants are handled as integer UTC seconds so that a month of 50 resources is
searched with bisection instead of datetime arithmetic.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from vitrina.scheduling.hours import hours_on, open_intervals


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    id: str
    name: str
    kind: str
    skills: frozenset[str]
    tz: ZoneInfo
    weekly: dict[str, Any]
    exceptions: list[dict[str, Any]]
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Requirement:
    kind: str
    skills: frozenset[str] = frozenset()

    def accepts(self, resource: ResourceInfo) -> bool:
        return resource.kind == self.kind and self.skills <= resource.skills

    def describe(self) -> str:
        skills = f" with {', '.join(sorted(self.skills))}" if self.skills else ""
        return f"{self.kind.replace('_', ' ')}{skills}"


class Block(NamedTuple):
    """An interval where a resource is taken, its buffers included."""

    start: datetime
    end: datetime
    appointment_id: str


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    resource_ids: tuple[str, ...]


@dataclass(slots=True)
class ResourceCalendar:
    """When one resource can start an appointment of a given duration, within a window."""

    resource: ResourceInfo
    duration: timedelta
    blocks: list[Block]
    # Opening intervals as UTC seconds (see `opening_spans`).
    opens: list[tuple[int, int]]
    # Closed intervals [lo, hi] of start instants that fit the hours and avoid every
    # block, computed on first use: a booking only asks `why_not` of one or two resources.
    _lows: list[int] | None = field(init=False, default=None)
    _highs: list[int] = field(init=False, default_factory=list)

    def _allowed(self) -> list[int]:
        """Sorted interval arithmetic: each opening interval, shrunk by the duration,
        minus every block widened by the duration and the buffers (one merge pass)."""
        r, d = self.resource, int(self.duration.total_seconds())
        before, after = int(r.buffer_before.total_seconds()), int(r.buffer_after.total_seconds())
        forbidden = sorted((_ts(b.start) - d - after, _ts(b.end) + before) for b in self.blocks)
        lows: list[int] = []
        highs: list[int] = []
        i, n = 0, len(forbidden)
        for a, b in self.opens:
            lo, hi = a, b - d
            if hi < lo:
                continue
            # Blocks are sorted by start; skip those that end before this opening.
            while i < n and forbidden[i][1] <= lo:
                i += 1
            j = i
            while j < n and forbidden[j][0] < hi and lo <= hi:
                f_lo, f_hi = forbidden[j]
                if f_hi > lo:
                    if f_lo >= lo:
                        lows.append(lo)
                        highs.append(f_lo)
                    lo = max(lo, f_hi)
                j += 1
            if lo <= hi:
                lows.append(lo)
                highs.append(hi)
        self._lows, self._highs = lows, highs
        return lows

    def free_starts(self) -> tuple[list[int], list[int]]:
        """The closed intervals [lows[k], highs[k]] of start instants this resource takes."""
        lows = self._lows if self._lows is not None else self._allowed()
        return lows, self._highs

    def can_start(self, start: int) -> bool:
        lows, highs = self.free_starts()
        i = bisect_right(lows, start) - 1
        return i >= 0 and start <= highs[i]

    def why_not(self, start: datetime) -> str | None:
        """None when the resource can take an appointment at `start`, else the reason."""
        r = self.resource
        end = start + self.duration
        s, e = _ts(start), _ts(end)
        if not any(a <= s and e <= b for a, b in self.opens):
            local = start.astimezone(r.tz)
            day = hours_on(local.date(), r.weekly, r.exceptions)
            if not day.spans:
                why = f": {day.reason}" if day.reason else ""
                return f"{r.name} is closed on {local.date().isoformat()}{why}"
            hours = ", ".join(
                f"{a.strftime('%H:%M')}-{b.strftime('%H:%M') if b else '24:00'}"
                for a, b in day.spans
            )
            return f"{r.name} is open {hours} ({r.tz.key}) that day, not for this whole slot"
        for block in self.blocks:
            # Blocks carry this resource's buffers; the appointment itself lies inside.
            booked_start, booked_end = block.start + r.buffer_before, block.end - r.buffer_after
            if booked_start < end and booked_end > start:
                return f"{r.name} is already booked then"
        padded_start, padded_end = start - r.buffer_before, end + r.buffer_after
        for block in self.blocks:
            if block.start < padded_end and block.end > padded_start:
                return f"{r.name} needs a break between appointments (buffer)"
        return None


def opening_spans(resource: ResourceInfo, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """When `resource` is open within [start, end), as UTC seconds."""
    return [
        (_ts(a), _ts(b))
        for a, b in open_intervals(
            weekly=resource.weekly,
            exceptions=resource.exceptions,
            tz=resource.tz,
            start=start,
            end=end,
        )
    ]


def candidate_starts(
    calendars: list[ResourceCalendar], step: timedelta, duration: timedelta
) -> list[int]:
    """Start instants on a step grid anchored at each opening time, ascending."""
    step_s, d = int(step.total_seconds()), int(duration.total_seconds())
    spans = {span for cal in calendars for span in cal.opens}
    starts: set[int] = set()
    for a, b in spans:
        starts.update(range(a, b - d + 1, step_s))
    return sorted(starts)


def pick_resources(
    start: int, requirements: list[Requirement], candidates: list[list[ResourceCalendar]]
) -> tuple[str, ...] | None:
    """The first free resource for every requirement (candidates come in a stable order)."""
    chosen: list[str] = []
    for calendars in candidates:
        for cal in calendars:
            if cal.resource.id not in chosen and cal.can_start(start):
                chosen.append(cal.resource.id)
                break
        else:
            return None
    return tuple(chosen)


def find_slots(
    *,
    requirements: list[Requirement],
    candidates: list[list[ResourceCalendar]],
    duration: timedelta,
    step: timedelta,
    earliest: datetime,
    latest: datetime,
    limit: int,
) -> list[Slot]:
    """Up to `limit` slots starting in [earliest, latest], in time order."""
    if not candidates or any(not c for c in candidates):
        return []
    lo, hi = _ts(earliest), _ts(latest)
    slots: list[Slot] = []
    for start in candidate_starts(candidates[0], step, duration):
        if start < lo or start > hi:
            continue
        picked = pick_resources(start, requirements, candidates)
        if picked is not None:
            slots.append(Slot(_dt(start), _dt(start) + duration, picked))
            if len(slots) >= limit:
                break
    return slots


def explain(
    *,
    start: datetime,
    requirements: list[Requirement],
    candidates: list[list[ResourceCalendar]],
    earliest: datetime,
    latest: datetime,
) -> list[str]:
    """Why no appointment can start at `start`; an empty list means it can."""
    if start < earliest:
        return [f"bookings open from {earliest.isoformat()} (lead time, or the past)"]
    if start > latest:
        return [f"bookings are taken up to {latest.isoformat()} (booking horizon)"]
    reasons: list[str] = []
    taken: set[str] = set()
    for requirement, calendars in zip(requirements, candidates, strict=True):
        if not calendars:
            reasons.append(f"no {requirement.describe()} exists for this appointment type")
            continue
        found, why = None, []
        for cal in calendars:
            if cal.resource.id in taken:
                continue
            reason = cal.why_not(start)
            if reason is None:
                found = cal.resource.id
                break
            why.append(reason)
        if found is None:
            reasons.append(f"no {requirement.describe()} is free: " + "; ".join(why))
        else:
            taken.add(found)
    return reasons
