"""What insights holds about a subject, for the access export, erasure and retention.

Erasure re-labels the subject's signals with a random, unlinkable id instead of deleting
them, so per-product statistics stay correct while nothing points back to the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core import sealing
from vitrina.core.db import new_id
from vitrina.insights.models import DwellAggregate, InteractionEvent, PersonaChoice
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)

# Signals hold the subject's opaque id and products: nothing to seal (erasure re-keys them
# under a random id that points to no one).
for _table in ("insights_dwell", "insights_event"):
    sealing.not_personal(_table, subject="an opaque subject id, re-keyed at erasure")
sealing.not_personal(
    "insights_persona", name="a persona's title in each language, written by the brand"
)
sealing.not_personal(
    "insights_persona_choice",
    subject="an opaque subject id; the row is deleted at erasure",
    persona="the key of one of the brand's personas",
)


async def _export_dwell(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(DwellAggregate)
        .where(DwellAggregate.brand_id == req.brand_id, DwellAggregate.subject == req.subject)
        .order_by(DwellAggregate.bucket_start, DwellAggregate.product, DwellAggregate.part)
    )
    return [
        {
            "product": r.product,
            "part": r.part,
            "hour": r.bucket_start,
            "dwell_ms": r.total_ms,
            "samples": r.samples,
            "last_at": r.last_at,
        }
        for r in rows.scalars()
    ]


async def _export_events(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(
            InteractionEvent.occurred_at,
            InteractionEvent.kind,
            InteractionEvent.product,
            InteractionEvent.part,
        )
        .where(InteractionEvent.brand_id == req.brand_id, InteractionEvent.subject == req.subject)
        .order_by(InteractionEvent.occurred_at)
    )
    return [
        {"occurred_at": at, "kind": kind, "product": product, "part": part}
        for at, kind, product, part in rows
    ]


async def _anonymise_dwell(db: AsyncSession, req: DataRequest) -> int:
    result = await db.execute(
        update(DwellAggregate)
        .where(DwellAggregate.brand_id == req.brand_id, DwellAggregate.subject == req.subject)
        .values(subject=f"erased:{new_id()}")
    )
    return int(getattr(result, "rowcount", 0))


async def _anonymise_events(db: AsyncSession, req: DataRequest) -> int:
    result = await db.execute(
        update(InteractionEvent)
        .where(InteractionEvent.brand_id == req.brand_id, InteractionEvent.subject == req.subject)
        .values(subject=f"erased:{new_id()}")
    )
    return int(getattr(result, "rowcount", 0))


async def _purge_dwell(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(DwellAggregate).where(DwellAggregate.bucket_start < cutoff))
    return int(getattr(result, "rowcount", 0))


async def _purge_events(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(InteractionEvent).where(InteractionEvent.occurred_at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="insights.dwell",
        tables=["insights_dwell"],
        export=_export_dwell,
        erase=_anonymise_dwell,
        retention=[RetentionRule(kind="signals", days=90, purge=_purge_dwell)],
        description="Time spent looking at each part of a product, per hour.",
    )
)
register(
    PersonalDataSource(
        name="insights.events",
        tables=["insights_event"],
        export=_export_events,
        erase=_anonymise_events,
        retention=[RetentionRule(kind="signals", days=90, purge=_purge_events)],
        description="Clicks on and views of products.",
    )
)


async def _export_persona(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(PersonaChoice.persona, PersonaChoice.chosen_at).where(
            PersonaChoice.brand_id == req.brand_id, PersonaChoice.subject == req.subject
        )
    )
    return [{"persona": persona, "chosen_at": at} for persona, at in rows]


async def _erase_persona(db: AsyncSession, req: DataRequest) -> int:
    result = await db.execute(
        delete(PersonaChoice).where(
            PersonaChoice.brand_id == req.brand_id, PersonaChoice.subject == req.subject
        )
    )
    return int(getattr(result, "rowcount", 0))


async def _purge_persona(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(PersonaChoice).where(PersonaChoice.chosen_at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="insights.persona",
        tables=["insights_persona_choice"],
        export=_export_persona,
        erase=_erase_persona,
        retention=[RetentionRule(kind="preferences", days=365, purge=_purge_persona)],
        description="The kind of visitor you said you are (persona), for suggestions.",
    )
)
