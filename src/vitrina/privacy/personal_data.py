"""What privacy itself holds about a subject.

Consent history, requests and the access audit are kept after an erasure: they prove
that the brand asked, answered and forgot, and they hold no personal value, only the
subject's opaque id (whose profile is gone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core import sealing
from vitrina.privacy import registry, requests
from vitrina.privacy.models import AccessAudit, ConsentRecord, DataKey, PrivacyRequest
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)

SUBJECT_ID = "an opaque subject id (guest session or customer id), no personal value"
for _table in ("privacy_data_key", "privacy_tombstone", "privacy_consent_record"):
    sealing.not_personal(_table, subject=SUBJECT_ID)
sealing.not_personal("privacy_consent_record", text_version="the consent text's version")
sealing.not_personal(
    "privacy_access_audit", subject=SUBJECT_ID, staff_name="the member of staff who read"
)
sealing.not_personal(
    "privacy_request",
    subject=SUBJECT_ID,
    error="an exception's class name",
    summary="row counts per section",
)


async def _keep(db: AsyncSession, req: DataRequest) -> int:
    return 0


async def _export_consents(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(ConsentRecord)
        .where(ConsentRecord.brand_id == req.brand_id, ConsentRecord.subject == req.subject)
        .order_by(ConsentRecord.recorded_at)
    )
    return [
        {
            "recorded_at": r.recorded_at,
            "purpose": r.purpose,
            "granted": r.granted,
            "text_version": r.text_version,
            "channel": r.channel,
        }
        for r in rows.scalars()
    ]


async def _export_requests(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(PrivacyRequest)
        .where(PrivacyRequest.brand_id == req.brand_id, PrivacyRequest.subject == req.subject)
        .order_by(PrivacyRequest.requested_at)
    )
    return [
        {
            "requested_at": r.requested_at,
            "kind": r.kind,
            "status": r.status,
            "due_at": r.due_at,
            "completed_at": r.completed_at,
        }
        for r in rows.scalars()
    ]


async def _export_audit(db: AsyncSession, req: DataRequest) -> list[Row]:
    rows = await db.execute(
        select(AccessAudit)
        .where(AccessAudit.brand_id == req.brand_id, AccessAudit.subject == req.subject)
        .order_by(AccessAudit.at)
    )
    return [
        {"at": r.at, "staff": r.staff_name, "what": r.what, "why": r.why} for r in rows.scalars()
    ]


async def _export_key(db: AsyncSession, req: DataRequest) -> list[Row]:
    """The data keys the person's values are sealed under (never the keys themselves):
    their own, and those of their conversations, bookings and verified guest sessions."""
    subjects = {req.subject}
    for source in registry.sources():
        if source.sealed_subjects is not None:
            subjects |= await source.sealed_subjects(db, req)
    keys = await db.execute(
        select(DataKey).where(DataKey.subject.in_(sorted(subjects))).order_by(DataKey.created_at)
    )
    return [
        {
            "sealed_for": key.subject,
            "data_key_created_at": key.created_at,
            "key_id": key.key_id,
        }
        for key in keys.scalars()
    ]


async def _purge_audit(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(AccessAudit).where(AccessAudit.at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="privacy.consents",
        tables=["privacy_consent_record"],
        export=_export_consents,
        erase=_keep,
        description="Every consent choice you made, with the text version and channel.",
    )
)
register(
    PersonalDataSource(
        name="privacy.requests",
        tables=["privacy_request"],
        export=_export_requests,
        erase=_keep,
        retention=[RetentionRule(kind="exports", days=7, purge=requests.purge_archives)],
        description="Your access and erasure requests.",
    )
)
register(
    PersonalDataSource(
        name="privacy.access_log",
        tables=["privacy_access_audit"],
        export=_export_audit,
        erase=_keep,
        retention=[RetentionRule(kind="access_audit", days=730, purge=_purge_audit)],
        description="When staff read your data, and why.",
    )
)
register(
    PersonalDataSource(
        name="privacy.keys",
        tables=["privacy_data_key", "privacy_tombstone"],
        export=_export_key,
        erase=_keep,  # the job destroys the key itself, after every other eraser
        description="The key your personal fields are encrypted with (never the key itself).",
    )
)
