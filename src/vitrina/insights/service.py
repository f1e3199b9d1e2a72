"""Signal ingestion gated by consent, dwell aggregates, and "why am I seeing this?".

Every signal passes the door in `ingest_signals`: the HTTP batch API and the world's
signal message both call it. A signal is kept only when its subject is known, not
erased, and consented to the signal's purpose both when it happened and now (a
withdrawal stops everything that arrives after it, whatever its timestamp says).
Gaze rays are checked for plausibility and dropped; only per-part dwell time is kept.
"""

from __future__ import annotations

import itertools
import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.catalog import service as catalog
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.insights import profiles, store
from vitrina.insights.errors import RejectReason
from vitrina.insights.metrics import SIGNALS_ACCEPTED, SIGNALS_REJECTED
from vitrina.insights.models import DwellAggregate, InteractionEvent
from vitrina.insights.schemas import Evidence, IngestResult, SignalIn, WhyRead
from vitrina.privacy import service as privacy
from vitrina.privacy import subjects
from vitrina.privacy.texts import Purpose

PURPOSE_OF: dict[str, Purpose] = {
    "dwell": Purpose.GAZE_DWELL,
    "gaze": Purpose.GAZE_DWELL,
    "click": Purpose.ANALYTICS,
    "view": Purpose.ANALYTICS,
    "configure": Purpose.ANALYTICS,
    "ask": Purpose.ANALYTICS,
    "book": Purpose.ANALYTICS,
    "buy": Purpose.ANALYTICS,
}
MAX_DWELL_MS = 10 * 60 * 1000
MAX_COORDINATE_M = 10_000.0


@dataclass(frozen=True, slots=True)
class GateLimits:
    """How far a signal's timestamp may be from the server's clock."""

    max_age: timedelta
    clock_skew: timedelta

    @classmethod
    def of(cls, max_age_s: float, clock_skew_s: float) -> GateLimits:
        return cls(timedelta(seconds=max_age_s), timedelta(seconds=clock_skew_s))


def _values_in_range(ev: SignalIn) -> bool:
    if ev.type in ("dwell", "gaze"):
        d = ev.duration_ms
        if d is None or not math.isfinite(d) or d <= 0 or d > MAX_DWELL_MS or not ev.part:
            return False
    elif ev.duration_ms is not None and not (
        math.isfinite(ev.duration_ms) and 0 <= ev.duration_ms <= MAX_DWELL_MS
    ):
        return False
    if ev.ray is not None:
        if ev.type != "gaze":
            return False
        if not all(math.isfinite(c) and abs(c) <= MAX_COORDINATE_M for c in ev.ray.origin):
            return False
        norm = math.sqrt(sum(c * c for c in ev.ray.direction))
        if not math.isfinite(norm) or abs(norm - 1.0) > 0.01:
            return False
    return True


def _row_ids() -> Iterator[str]:
    """UUID-shaped ids for a batch's rows: one random prefix, then a counter (cheap, unique)."""
    h = os.urandom(12).hex()
    head = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:24]}"
    return (f"{head}{i:08x}" for i in itertools.count())


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


async def ingest_signals(
    db: AsyncSession,
    *,
    brand_id: str,
    signals: Sequence[SignalIn],
    limits: GateLimits,
    default_subject: str | None = None,
    only_subject: str | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Gate and store a batch. `only_subject` restricts a guest to signals about itself."""
    now = now or utcnow()
    latest, earliest = now + limits.clock_skew, now - limits.max_age
    rejected: Counter[str] = Counter()
    candidates: list[tuple[str, SignalIn]] = []
    valid: dict[str, bool] = {}
    for ev in signals:
        subject = ev.subject or default_subject
        if only_subject is not None and subject != only_subject:
            rejected[RejectReason.FOREIGN_SUBJECT] += 1
        elif subject is None or not (
            valid[subject]
            if subject in valid
            else valid.setdefault(subject, subjects.is_valid(subject))
        ):
            rejected[RejectReason.UNKNOWN_SUBJECT] += 1
        elif ev.at > latest or ev.at < earliest:
            rejected[RejectReason.FORGED_TIMESTAMP] += 1
        elif not _values_in_range(ev):
            rejected[RejectReason.OUT_OF_RANGE] += 1
        else:
            candidates.append((subject, ev))

    if candidates:
        # A brand with a catalog accepts signals about its own products only.
        known = await catalog.known_slugs(
            db, brand_id=brand_id, slugs={ev.product for _, ev in candidates}
        )
        if known is not None:
            kept = [(s, ev) for s, ev in candidates if ev.product in known]
            if len(kept) < len(candidates):
                rejected[RejectReason.UNKNOWN_PRODUCT] += len(candidates) - len(kept)
            candidates = kept
    book = await privacy.consent_book(
        db,
        brand_id=brand_id,
        subjects={s for s, _ in candidates},
        purposes={PURPOSE_OF[ev.type] for _, ev in candidates},
    )
    dwell: dict[tuple[str, str, str, datetime], list[Any]] = {}
    events: list[tuple[Any, ...]] = []
    accepted: Counter[str] = Counter()
    # When each (subject, purpose) consent in force now began; None when not in force.
    since: dict[tuple[str, str], datetime | None] = {}
    ids = _row_ids()
    hours: dict[datetime, datetime] = {}
    for subject, ev in candidates:
        purpose = PURPOSE_OF[ev.type]
        if subject in book.erased:
            rejected[RejectReason.ERASED_SUBJECT] += 1
            continue
        if subject not in book.known:
            rejected[RejectReason.UNKNOWN_SUBJECT] += 1
            continue
        gate = (subject, str(purpose))
        start = since[gate] if gate in since else since.setdefault(gate, book.since(*gate, now))
        if start is None or ev.at < start:
            rejected[RejectReason.NO_CONSENT] += 1
            continue
        accepted[ev.type] += 1
        if ev.type in ("dwell", "gaze"):
            assert ev.duration_ms is not None
            bucket = hours.get(ev.at)
            if bucket is None:
                bucket = hours[ev.at] = _hour(ev.at)
            key = (subject, ev.product, ev.part, bucket)
            agg = dwell.setdefault(key, [0, 0, ev.at])
            agg[0] += round(ev.duration_ms)
            agg[1] += 1
            agg[2] = max(agg[2], ev.at)
        else:
            events.append((next(ids), brand_id, subject, ev.type, ev.product, ev.part, ev.at))
    if events:
        await store.insert_events(db, events)
    if dwell:
        # In key order, so that concurrent batches lock shared buckets in the same order
        # and never deadlock each other.
        await store.add_dwell(
            db,
            [
                (next(ids), brand_id, subject, product, part, bucket, total, n, last)
                for (subject, product, part, bucket), (total, n, last) in sorted(dwell.items())
            ],
        )
    for kind, n in accepted.items():
        SIGNALS_ACCEPTED.labels(type=kind).inc(n)
    for reason, n in rejected.items():
        SIGNALS_REJECTED.labels(reason=reason).inc(n)
    return IngestResult(accepted=sum(accepted.values()), rejected=dict(rejected))


_SIGNALS = TypeAdapter(list[SignalIn])


async def ingest_from_visitor(
    db: AsyncSession,
    *,
    settings: Settings,
    brand_id: str,
    session_id: str,
    signals: Sequence[SignalIn | Mapping[str, Any]],
) -> IngestResult:
    """The world's signal message: a visitor's own signals, decoded frames accepted as is.

    Raises pydantic.ValidationError for a malformed frame (a protocol error for the caller).
    """
    parsed = [s if isinstance(s, SignalIn) else _SIGNALS.validate_python([s])[0] for s in signals]
    me = subjects.guest(session_id)
    return await ingest_signals(
        db,
        brand_id=brand_id,
        signals=parsed,
        limits=GateLimits.of(settings.signal_max_age_s, settings.signal_clock_skew_s),
        default_subject=me,
        only_subject=me,
    )


# --- use of signals -----------------------------------------------------------------------


async def _evidence(
    db: AsyncSession, *, brand_id: str, subject: str, product: str | None
) -> tuple[bool, list[Evidence]]:
    now = utcnow()
    book = await privacy.consent_book(db, brand_id=brand_id, subjects=[subject])
    if not book.in_force(subject, Purpose.PERSONALISATION, now):  # erased: never in force
        return False, []
    found: list[Evidence] = []
    if book.in_force(subject, Purpose.GAZE_DWELL, now):
        q = select(
            DwellAggregate.product,
            DwellAggregate.part,
            func.sum(DwellAggregate.samples),
            func.sum(DwellAggregate.total_ms),
            func.max(DwellAggregate.last_at),
        ).where(DwellAggregate.brand_id == brand_id, DwellAggregate.subject == subject)
        if product is not None:
            q = q.where(DwellAggregate.product == product)
        for prod, part, n, total, last in await db.execute(
            q.group_by(DwellAggregate.product, DwellAggregate.part)
        ):
            found.append(
                Evidence(
                    kind="dwell",
                    purpose=Purpose.GAZE_DWELL,
                    product=prod,
                    part=part,
                    count=int(n),
                    total_ms=int(total),
                    last_at=_aware(last),
                )
            )
    if book.in_force(subject, Purpose.ANALYTICS, now):
        q2 = select(
            InteractionEvent.kind,
            InteractionEvent.product,
            InteractionEvent.part,
            func.count(),
            func.max(InteractionEvent.occurred_at),
        ).where(InteractionEvent.brand_id == brand_id, InteractionEvent.subject == subject)
        if product is not None:
            q2 = q2.where(InteractionEvent.product == product)
        for kind, prod, part, n, last in await db.execute(
            q2.group_by(InteractionEvent.kind, InteractionEvent.product, InteractionEvent.part)
        ):
            found.append(
                Evidence(
                    kind=kind,
                    purpose=Purpose.ANALYTICS,
                    product=prod,
                    part=part,
                    count=int(n),
                    total_ms=0,
                    last_at=_aware(last),
                )
            )
    return True, found


def _aware(value: datetime) -> datetime:
    # Aggregates (max) bypass the column type on SQLite and come back naive.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def explain(db: AsyncSession, *, brand_id: str, subject: str, product: str) -> WhyRead:
    """Which consented signals could have led to `product` being suggested to `subject`."""
    personalised, evidence = await _evidence(
        db, brand_id=brand_id, subject=subject, product=product
    )
    if not personalised:
        text = "Not personalised: you have not allowed personal suggestions."
    elif not evidence:
        text = "Not based on your activity: it is a general or surprise suggestion."
    else:
        parts = sorted({e.part or e.product for e in evidence})
        text = f"Suggested because you spent time with or clicked on: {', '.join(parts)}."
    return WhyRead(product=product, personalised=personalised, explanation=text, evidence=evidence)


async def consented_signals(
    db: AsyncSession, *, brand_id: str, subject: str, now: datetime | None = None
) -> tuple[bool, list[tuple[str, str, datetime, float]]]:
    """(personalised?, [(product, kind, at, amount)]): only what is consented right now.

    Read at every call, so a withdrawal (or erasure) takes the signals' influence away at
    once: without personalisation nothing is used; without gaze_dwell no dwell time;
    without analytics no clicks, views, configurations, questions or bookings.
    """
    now = now or utcnow()
    book = await privacy.consent_book(db, brand_id=brand_id, subjects=[subject])
    if not book.in_force(subject, Purpose.PERSONALISATION, now):
        return False, []
    # Dwell and events in one round trip: this runs for every list of suggestions.
    parts = []
    if book.in_force(subject, Purpose.GAZE_DWELL, now):
        parts.append(
            select(
                DwellAggregate.product,
                literal("dwell").label("kind"),
                DwellAggregate.last_at,
                (DwellAggregate.total_ms / 1000.0).label("amount"),
            ).where(DwellAggregate.brand_id == brand_id, DwellAggregate.subject == subject)
        )
    if book.in_force(subject, Purpose.ANALYTICS, now):
        parts.append(
            select(
                InteractionEvent.product,
                InteractionEvent.kind,
                InteractionEvent.occurred_at,
                literal(1.0).label("amount"),
            ).where(InteractionEvent.brand_id == brand_id, InteractionEvent.subject == subject)
        )
    if not parts:
        return True, []
    rows = await db.execute(parts[0] if len(parts) == 1 else union_all(*parts))
    return True, [(p, kind, _aware(at), float(amount)) for p, kind, at, amount in rows]


async def interest_profile(
    db: AsyncSession, *, brand_id: str, subject: str, now: datetime | None = None
) -> list[tuple[str, float]]:
    """Products ranked by consented interest, decayed with time; [] without consent.

    Weights per kind and the half-life are in insights.profiles.
    """
    now = now or utcnow()
    _, signals = await consented_signals(db, brand_id=brand_id, subject=subject, now=now)
    return profiles.ranked(profiles.decayed(signals, now=now))
