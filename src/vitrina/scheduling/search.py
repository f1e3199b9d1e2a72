"""Availability search and explanations, on top of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import utcnow
from vitrina.core.errors import AppError
from vitrina.scheduling import availability as av
from vitrina.scheduling.catalog import get_type_or_raise
from vitrina.scheduling.errors import SchedulingErrorCode
from vitrina.scheduling.hours import resolve_local, zone
from vitrina.scheduling.models import Allocation, AppointmentType, Resource

MAX_WINDOW = timedelta(days=62)
DEFAULT_WINDOW = timedelta(days=7)
SEARCH_CHUNKS = (timedelta(days=2), timedelta(days=7))


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


def resource_info(resource: Resource) -> av.ResourceInfo:
    return av.ResourceInfo(
        id=resource.id,
        name=resource.name,
        kind=resource.kind,
        skills=frozenset(resource.skills),
        tz=zone(resource.timezone),
        weekly=resource.weekly_hours,
        exceptions=resource.exceptions,
        buffer_before=timedelta(minutes=resource.buffer_before_min),
        buffer_after=timedelta(minutes=resource.buffer_after_min),
    )


async def plan(
    db: AsyncSession,
    *,
    appointment_type: AppointmentType,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    resource_ids: list[str] | None = None,
    ignore_appointment_id: str | None = None,
) -> Plan:
    """Load the resources that fit the type and what blocks them around the window.

    `resource_ids` pins requirements to these resources (for the kinds they cover);
    `ignore_appointment_id` leaves out an appointment's own blocks when it moves.
    """
    requirements = requirements_of(appointment_type)
    kinds = {r.kind for r in requirements}
    rows = (
        await db.execute(
            select(Resource)
            .where(
                Resource.brand_slug == appointment_type.brand_slug,
                Resource.kind.in_(kinds),
                Resource.active.is_(True),
            )
            .order_by(Resource.name, Resource.id)
        )
    ).scalars()
    resources = [resource_info(r) for r in rows]
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
        key = json.dumps([r.tz.key, r.weekly, r.exceptions], sort_keys=True)
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
    query = select(
        Allocation.resource_id,
        Allocation.block_start,
        Allocation.block_end,
        Allocation.appointment_id,
    ).where(
        Allocation.resource_id.in_(resource_ids),
        Allocation.active.is_(True),
        Allocation.block_end > start,
        Allocation.block_start < end,
        or_(Allocation.expires_at.is_(None), Allocation.expires_at > now),
    )
    if ignore_appointment_id is not None:
        query = query.where(Allocation.appointment_id != ignore_appointment_id)
    out: dict[str, list[av.Block]] = {}
    for resource_id, block_start, block_end, appointment_id in await db.execute(
        query.order_by(Allocation.block_start)
    ):
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
    # only those days' bookings, not the whole window's.
    slots: list[av.Slot] = []
    chunk_start = window_start
    for chunk in (*SEARCH_CHUNKS, window_end - window_start):
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
