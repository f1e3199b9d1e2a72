"""Availability search and explanations, on top of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import UTCDateTime, utcnow
from vitrina.core.errors import AppError
from vitrina.scheduling import availability as av
from vitrina.scheduling.catalog import get_type_or_raise
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.hours import resolve_local, zone
from vitrina.scheduling.models import Allocation, AppointmentType, Resource

MAX_WINDOW = timedelta(days=62)
DEFAULT_WINDOW = timedelta(days=7)
# A search for a few slots reads this much first; LONG_SEARCH slots or more read it all.
FIRST_CHUNK = timedelta(days=2)
LONG_SEARCH = 100


@dataclass(frozen=True, slots=True)
class SlotSearch:
    appointment_type: AppointmentType
    window_start: datetime
    window_end: datetime
    slots: list[av.Slot]


@dataclass(frozen=True, slots=True)
class Plan:
    """What the rules say about one appointment type over a window, ready to decide."""

    appointment_type: AppointmentType
    requirements: list[av.Requirement]
    candidates: list[list[av.ResourceCalendar]]
    earliest: datetime
    latest: datetime

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.appointment_type.duration_min)


def requirements_of(appointment_type: AppointmentType) -> list[av.Requirement]:
    return [
        av.Requirement(kind=str(r["kind"]), skills=frozenset(r.get("skills", [])))
        for r in appointment_type.requirements
    ]


_RESOURCE_COLUMNS = (
    Resource.id,
    Resource.name,
    Resource.kind,
    Resource.skills,
    Resource.timezone,
    Resource.weekly_hours,
    Resource.exceptions,
    Resource.buffer_before_min,
    Resource.buffer_after_min,
)


def _resource_info(
    id_: str,
    name: str,
    kind: str,
    skills: list[str],
    timezone: str,
    weekly: dict[str, Any],
    exceptions: list[dict[str, Any]],
    before_min: int,
    after_min: int,
) -> av.ResourceInfo:
    return av.ResourceInfo(
        id=id_,
        name=name,
        kind=kind,
        skills=frozenset(skills),
        tz=zone(timezone),
        weekly=weekly,
        exceptions=exceptions,
        buffer_before=timedelta(minutes=before_min),
        buffer_after=timedelta(minutes=after_min),
    )


# Statements built once with bound parameters: a booking runs them every time, and
# building and keying a statement costs more CPU than running it on a small table.
_RESOURCES = (
    select(*_RESOURCE_COLUMNS)
    .where(
        Resource.brand_slug == bindparam("brand"),
        Resource.kind.in_(bindparam("kinds", expanding=True)),
        Resource.active.is_(True),
    )
    .order_by(Resource.name, Resource.id)
)
# A pinned kind needs only its pinned resources: a booking for one advisor then reads one
# row, not the whole team (same answer, decided in the same query).
_PINNED_KINDS = select(Resource.kind).where(
    Resource.id.in_(bindparam("pinned", expanding=True)),
    Resource.brand_slug == bindparam("brand"),
    Resource.active.is_(True),
)
_PINNED_RESOURCES = _RESOURCES.where(
    or_(
        Resource.id.in_(bindparam("pinned", expanding=True)),
        Resource.kind.not_in(_PINNED_KINDS.scalar_subquery()),
    )
)


async def load_resources(
    db: AsyncSession, *, appointment_type: AppointmentType, resource_ids: list[str] | None
) -> list[av.ResourceInfo]:
    """The active resources of the kinds the type needs, in name order.

    `resource_ids` pins requirements to these resources (for the kinds they cover).
    """
    params: dict[str, object] = {
        "brand": appointment_type.brand_slug,
        "kinds": sorted({str(r["kind"]) for r in appointment_type.requirements}),
    }
    query = _RESOURCES
    if resource_ids:
        query, params["pinned"] = _PINNED_RESOURCES, list(resource_ids)
    rows = await db.execute(query, params)
    return [_resource_info(*row) for row in rows]


async def plan(
    db: AsyncSession,
    *,
    appointment_type: AppointmentType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    resource_ids: list[str] | None = None,
    ignore_appointment_id: str | None = None,
    resources: list[av.ResourceInfo] | None = None,
) -> Plan:
    """Load the resources that fit the type (unless given) and what blocks them around
    the window.

    `resource_ids` pins requirements to these resources (for the kinds they cover);
    `ignore_appointment_id` leaves out an appointment's own blocks when it moves.
    """
    if resources is None:
        resources = await load_resources(
            db, appointment_type=appointment_type, resource_ids=resource_ids
        )
    requirements = requirements_of(appointment_type)
    pinned = set(resource_ids or [])
    pinned_kinds = {r.kind for r in resources if r.id in pinned}
    duration = timedelta(minutes=appointment_type.duration_min)
    max_buffer = max((r.buffer_before + r.buffer_after for r in resources), default=timedelta(0))
    load_from = window_start - duration - max_buffer
    load_to = window_end + duration + max_buffer
    blocks = await _blocks(
        db,
        resource_ids=[r.id for r in resources],
        start=load_from,
        end=load_to,
        now=now,
        ignore_appointment_id=ignore_appointment_id,
    )
    # From the day before, so that the slot grid stays anchored at opening times rather
    # than at the moment of the search.
    span_start, span_end = window_start - timedelta(days=1), window_end + duration
    # Resources usually share their hours; compute each distinct timetable once.
    spans: dict[str, list[tuple[int, int]]] = {}

    def calendar(r: av.ResourceInfo) -> av.ResourceCalendar:
        # repr is enough for a key: the stored hours are normalised, hence ordered alike.
        key = repr((r.tz.key, r.weekly, r.exceptions))
        if key not in spans:
            spans[key] = av.opening_spans(r, span_start, span_end)
        return av.ResourceCalendar(
            resource=r, duration=duration, blocks=blocks.get(r.id, []), opens=spans[key]
        )

    calendars = {r.id: calendar(r) for r in resources}
    candidates = [
        [
            calendars[r.id]
            for r in resources
            if req.accepts(r) and (req.kind not in pinned_kinds or r.id in pinned)
        ]
        for req in requirements
    ]
    return Plan(
        appointment_type=appointment_type,
        requirements=requirements,
        candidates=candidates,
        earliest=now + timedelta(minutes=appointment_type.lead_time_min),
        latest=now + timedelta(days=appointment_type.horizon_days),
    )


# A month's search reads thousands of blocks: their instants are read as plain
# timestamps, without the per-value conversion of the UTCDateTime column type (PostgreSQL
# returns them in UTC already; SQLite's naive values are UTC and get their zone below).
_PLAIN_TIMESTAMP = DateTime(timezone=True)
_BLOCKS = (
    select(
        Allocation.resource_id,
        type_coerce(Allocation.block_start, _PLAIN_TIMESTAMP),
        type_coerce(Allocation.block_end, _PLAIN_TIMESTAMP),
        Allocation.appointment_id,
    )
    .where(
        Allocation.resource_id.in_(bindparam("ids", expanding=True)),
        Allocation.active.is_(True),
        Allocation.block_end > bindparam("start", type_=UTCDateTime),
        Allocation.block_start < bindparam("end", type_=UTCDateTime),
        or_(
            Allocation.expires_at.is_(None),
            Allocation.expires_at > bindparam("now", type_=UTCDateTime),
        ),
    )
    .order_by(Allocation.block_start)
)
_BLOCKS_BUT_ONE = _BLOCKS.where(Allocation.appointment_id != bindparam("ignore"))


async def _blocks(
    db: AsyncSession,
    *,
    resource_ids: list[str],
    start: datetime,
    end: datetime,
    now: datetime,
    ignore_appointment_id: str | None,
) -> dict[str, list[av.Block]]:
    if not resource_ids:
        return {}
    params: dict[str, object] = {"ids": resource_ids, "start": start, "end": end, "now": now}
    query = _BLOCKS
    if ignore_appointment_id is not None:
        query, params["ignore"] = _BLOCKS_BUT_ONE, ignore_appointment_id
    out: dict[str, list[av.Block]] = {}
    for resource_id, block_start, block_end, appointment_id in await db.execute(query, params):
        if block_start.tzinfo is None:
            block_start, block_end = block_start.replace(tzinfo=UTC), block_end.replace(tzinfo=UTC)
        out.setdefault(resource_id, []).append(av.Block(block_start, block_end, appointment_id))
    return out


async def find_slots(
    db: AsyncSession,
    *,
    brand_slug: str,
    type_slug: str,
    start: datetime | None = None,
    end: datetime | None = None,
    resource_id: str | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> SlotSearch:
    """Free slots for an appointment type, earliest first, honouring hours, exceptions,
    buffers, lead time and horizon. The same data always gives the same slots."""
    now = now or utcnow()
    appointment_type = await get_type_or_raise(db, brand_slug=brand_slug, slug=type_slug)
    window_start = max(start or now, now)
    window_end = end or window_start + DEFAULT_WINDOW
    if window_end <= window_start:
        raise AppError(
            "The search window must end after it starts (and not in the past).",
            code=SchedulingErrorCode.INVALID_WINDOW,
        )
    if window_end - window_start > MAX_WINDOW:
        raise AppError(
            f"Search at most {MAX_WINDOW.days} days at a time.",
            code=SchedulingErrorCode.INVALID_WINDOW,
        )
    # Look at a couple of days first: a short answer ("the next free slots") then needs
    # only those days' bookings; a long one reads the rest of the window in one go.
    resources = await load_resources(
        db, appointment_type=appointment_type, resource_ids=[resource_id] if resource_id else None
    )
    slots: list[av.Slot] = []
    chunk_start = window_start
    chunks = (FIRST_CHUNK,) if limit < LONG_SEARCH else ()
    for chunk in (*chunks, window_end - window_start):
        chunk_end = min(chunk_start + chunk, window_end)
        if chunk_end <= chunk_start:
            continue
        p = await plan(
            db,
            appointment_type=appointment_type,
            window_start=chunk_start,
            window_end=chunk_end,
            now=now,
            resource_ids=[resource_id] if resource_id else None,
            resources=resources,
        )
        last = chunk_end == window_end
        slots += av.find_slots(
            requirements=p.requirements,
            candidates=p.candidates,
            duration=p.duration,
            step=timedelta(minutes=appointment_type.slot_step_min),
            earliest=max(p.earliest, chunk_start),
            latest=min(p.latest, chunk_end if last else chunk_end - timedelta(seconds=1)),
            limit=limit - len(slots),
        )
        if len(slots) >= limit or last:
            break
        chunk_start = chunk_end
    return SlotSearch(appointment_type, window_start, window_end, slots)


async def explain_slot(
    db: AsyncSession,
    *,
    appointment_type: AppointmentType,
    start: datetime,
    now: datetime,
    resource_ids: list[str] | None = None,
    ignore_appointment_id: str | None = None,
) -> tuple[list[str], Plan]:
    """Why `start` cannot be booked (empty when it can), with the plan used to decide."""
    p = await plan(
        db,
        appointment_type=appointment_type,
        window_start=start,
        window_end=start + timedelta(minutes=appointment_type.duration_min),
        now=now,
        resource_ids=resource_ids,
        ignore_appointment_id=ignore_appointment_id,
    )
    reasons = av.explain(
        start=start,
        requirements=p.requirements,
        candidates=p.candidates,
        earliest=p.earliest,
        latest=p.latest,
    )
    return reasons, p


async def explain(
    db: AsyncSession,
    *,
    brand_slug: str,
    type_slug: str,
    start: datetime,
    resource_ids: list[str] | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Why an appointment of this type cannot start at `start`; empty when it can.

    A naive `start` is wall-clock time in the type's time zone."""
    now = now or utcnow()
    appointment_type = await get_type_or_raise(db, brand_slug=brand_slug, slug=type_slug)
    instant = resolve_local(start, zone(appointment_type.timezone))
    reasons, _ = await explain_slot(
        db, appointment_type=appointment_type, start=instant, now=now, resource_ids=resource_ids
    )
    return reasons
