"""What the CRM holds about a customer, for the access export, erasure and retention.

The subject is `customer:<profile id>`. A profile merged into another belongs to the same
person, so every section gathers the whole family of the profile's root (the root and
every profile merged into it) within the request's brand. Guest subjects hold nothing
here: a guest becomes a customer only through a profile.

Erasure keeps the profile rows, anonymised, so that other domains' references and merge
history stay valid; it deletes the identifiers, notes, timeline, vehicles (with their
service history) and financing contracts, blanks the customer's name in the account
access log (the log itself stays, as proof of who read what), the reasons of merges
(they quote identifiers) and the customer data carried by webhook deliveries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core import sealing
from vitrina.core.security import Principal
from vitrina.crm import accounts, verification
from vitrina.crm import service as crm
from vitrina.crm.account_models import (
    AccountAccess,
    FinancingContract,
    OwnedVehicle,
    ServiceRecord,
)
from vitrina.crm.models import (
    CustomerIdentity,
    CustomerNote,
    CustomerProfile,
    ProfileMerge,
    TimelineEntry,
    WebhookDelivery,
    WebhookEndpoint,
)
from vitrina.privacy.registry import (
    CustomerRecords,
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
    register_customer_records,
)

ACCESS_LOG_RETENTION_DAYS = 2 * 365


# --- what is sealed at rest, and under whose key ------------------------------------------
# Every row is sealed under the profile it was written for (`customer:<profile id>`) and
# keeps that subject after a merge; erasure shreds the subjects of the whole family.


def _of_profile(_rows: sealing.Rows, row: Any) -> str:
    return f"customer:{row.profile_id}"


def _of_delivery(_rows: sealing.Rows, row: WebhookDelivery) -> str:
    customer_id = (row.payload or {}).get("customer_id")
    return f"customer:{customer_id}" if customer_id else f"crm_webhook:{row.id}"


sealing.seal_columns(CustomerProfile, "display_name", subject=lambda _r, p: f"customer:{p.id}")
sealing.seal_columns(
    CustomerIdentity,
    "value",
    subject=_of_profile,
    blind={"value": sealing.Blind("value_hash")},  # values are stored normalised
)
sealing.seal_columns(TimelineEntry, "summary", "data", subject=_of_profile)
sealing.seal_columns(CustomerNote, "body", subject=_of_profile)
sealing.seal_columns(ProfileMerge, "reason", subject=lambda _r, m: f"customer:{m.merged_id}")
sealing.seal_columns(WebhookDelivery, "payload", subject=_of_delivery)
# A read by staff names the member of staff and their reason: that entry stays readable as
# proof after the customer's erasure; a self-service read names the customer: sealed.
sealing.seal_columns(
    AccountAccess,
    "actor_name",
    "reason",
    subject=lambda r, a: _of_profile(r, a) if a.actor_kind == "guest" else sealing.CLEAR,
)
sealing.seal_columns(OwnedVehicle, "vin", "registration", subject=_of_profile)
sealing.seal_columns(FinancingContract, "number", subject=_of_profile)
sealing.seal_columns(
    ServiceRecord,
    "description",
    subject=lambda rows, r: rows.sealed_for(OwnedVehicle, r.vehicle_id),
)
sealing.not_personal("crm_note", author_name="the member of staff who wrote the note")
sealing.not_personal(
    "crm_merge", undone_by="the member of staff who undid the merge", actor="staff or system"
)
sealing.not_personal(
    "crm_webhook_endpoint",
    url="the brand's integration endpoint",
    secret="a signing secret",  # noqa: S106 - the reason, not a secret
)
sealing.not_personal("crm_webhook_delivery", last_error="the endpoint's HTTP failure, no payload")
sealing.not_personal("crm_financing_contract", product="a product of the brand's catalogue")


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    """Every subject whose key sealed the request's customer data in the CRM: the family's
    profiles (rows keep the profile they were written for, across merges)."""
    family = await _family(db, req)
    return {f"customer:{profile_id}" for profile_id in family}


async def _family(db: AsyncSession, req: DataRequest) -> list[str]:
    """The profile ids of the request's customer in the request's brand; [] for anyone else."""
    kind, _, customer_id = req.subject.partition(":")
    if kind != "customer" or not customer_id:
        return []
    profile = await crm.get(db, customer_id=customer_id)
    if profile is None or profile.brand_id != req.brand_id:
        return []
    root = await crm.root_of(db, profile)
    return await crm.family_ids(db, root_id=root.id)


# --- profile and identifiers --------------------------------------------------------------


async def _export_profile(db: AsyncSession, req: DataRequest) -> list[Row]:
    family = await _family(db, req)
    if not family:
        return []
    out: list[Row] = []
    profiles = await db.execute(
        select(CustomerProfile)
        .where(CustomerProfile.id.in_(family))
        .order_by(CustomerProfile.created_at, CustomerProfile.id)
    )
    for p in profiles.scalars():
        out.append(
            {
                "record": "profile",
                "profile": p.id,
                "display_name": p.display_name,
                "locale": p.locale,
                "tags": list(p.tags or []),
                "merged_into": p.merged_into_id,
                "created_at": p.created_at,
                "updated_at": p.updated_at,
            }
        )
    for i in await crm.identities_of(db, profile_ids=family):
        out.append(
            {
                "record": "identity",
                "profile": i.profile_id,
                "kind": i.kind,
                "value": i.value,
                "chain_id": i.chain_id,
                "verified_at": i.verified_at,
                "source": i.source,
                "created_at": i.created_at,
            }
        )
    merges = await db.execute(
        select(ProfileMerge)
        .where(ProfileMerge.merged_id.in_(family) | ProfileMerge.survivor_id.in_(family))
        .order_by(ProfileMerge.created_at)
    )
    for m in merges.scalars():
        out.append(
            {
                "record": "merge",
                "profile": m.merged_id,
                "merged_into": m.survivor_id,
                "reason": m.reason,
                "created_at": m.created_at,
                "undone_at": m.undone_at,
            }
        )
    return out


def _scrub_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "data": {}}


async def _erase_profile(db: AsyncSession, req: DataRequest) -> int:
    family = await _family(db, req)
    if not family:
        return 0
    await db.execute(
        delete(CustomerIdentity)
        .where(CustomerIdentity.profile_id.in_(family))
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(ProfileMerge)
        .where(ProfileMerge.merged_id.in_(family) | ProfileMerge.survivor_id.in_(family))
        .values(reason="", sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    # Deliveries carry the customer's name and identifiers in `data`; the event stays.
    deliveries = await db.execute(
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.brand_id == req.brand_id)
    )
    for delivery in deliveries.scalars():
        payload = delivery.payload or {}
        if payload.get("customer_id") in family and payload.get("data"):
            delivery.payload = _scrub_payload(payload)
    await db.execute(
        update(CustomerProfile)
        .where(CustomerProfile.id.in_(family))
        .values(display_name="", locale=None, tags=[], sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    await db.flush()
    return len(family)


# --- notes and timeline -------------------------------------------------------------------


async def _export_notes(db: AsyncSession, req: DataRequest) -> list[Row]:
    family = await _family(db, req)
    if not family:
        return []
    return [
        {
            "note": n.id,
            "author": n.author_name,
            "body": n.body,
            "created_at": n.created_at,
        }
        for n in reversed(await crm.notes_of(db, profile_ids=family))
    ]


async def _erase_notes(db: AsyncSession, req: DataRequest) -> int:
    family = await _family(db, req)
    if not family:
        return 0
    result = await db.execute(
        delete(CustomerNote)
        .where(CustomerNote.profile_id.in_(family))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def _export_timeline(db: AsyncSession, req: DataRequest) -> list[Row]:
    family = await _family(db, req)
    if not family:
        return []
    rows = await db.execute(
        select(TimelineEntry)
        .where(TimelineEntry.profile_id.in_(family))
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    )
    return [
        {
            "occurred_at": t.occurred_at,
            "kind": t.kind,
            "channel": t.channel,
            "summary": t.summary,
            "data": t.data,
        }
        for t in rows.scalars()
    ]


async def _erase_timeline(db: AsyncSession, req: DataRequest) -> int:
    family = await _family(db, req)
    if not family:
        return 0
    result = await db.execute(
        delete(TimelineEntry)
        .where(TimelineEntry.profile_id.in_(family))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


# --- account data: vehicles, service history, financing ---------------------------------


async def _export_account(db: AsyncSession, req: DataRequest) -> list[Row]:
    family = await _family(db, req)
    if not family:
        return []
    out: list[Row] = []
    contracts = await db.execute(
        select(FinancingContract).where(FinancingContract.profile_id.in_(family))
    )
    for c in sorted(contracts.scalars(), key=lambda c: c.number):
        out.append(
            {
                "record": "financing_contract",
                "number": c.number,
                "product": c.product,
                "currency": c.currency,
                "balance_minor": c.balance_minor,
                "monthly_payment_minor": c.monthly_payment_minor,
                "next_payment_on": c.next_payment_on,
                "ends_on": c.ends_on,
            }
        )
    vehicles = await db.execute(
        select(OwnedVehicle)
        .where(OwnedVehicle.profile_id.in_(family))
        .order_by(OwnedVehicle.year.desc(), OwnedVehicle.id)
    )
    for v in vehicles.scalars():
        records = await db.execute(
            select(ServiceRecord)
            .where(ServiceRecord.vehicle_id == v.id)
            .order_by(ServiceRecord.performed_on)
        )
        out.append(
            {
                "record": "vehicle",
                "vin": v.vin,
                "model": v.model,
                "year": v.year,
                "registration": v.registration,
                "service": [
                    {
                        "performed_on": r.performed_on.isoformat(),
                        "mileage_km": r.mileage_km,
                        "description": r.description,
                    }
                    for r in records.scalars()
                ],
            }
        )
    return out


async def _erase_account(db: AsyncSession, req: DataRequest) -> int:
    family = await _family(db, req)
    if not family:
        return 0
    vehicles = select(OwnedVehicle.id).where(OwnedVehicle.profile_id.in_(family))
    await db.execute(
        delete(ServiceRecord)
        .where(ServiceRecord.vehicle_id.in_(vehicles))
        .execution_options(synchronize_session=False)
    )
    gone = await db.execute(
        delete(OwnedVehicle)
        .where(OwnedVehicle.profile_id.in_(family))
        .execution_options(synchronize_session=False)
    )
    contracts = await db.execute(
        delete(FinancingContract)
        .where(FinancingContract.profile_id.in_(family))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(gone, "rowcount", 0)) + int(getattr(contracts, "rowcount", 0))


# --- who read the account data -------------------------------------------------------------


async def _export_access(db: AsyncSession, req: DataRequest) -> list[Row]:
    family = await _family(db, req)
    if not family:
        return []
    rows = await db.execute(
        select(AccountAccess)
        .where(AccountAccess.profile_id.in_(family))
        .order_by(AccountAccess.at, AccountAccess.id)
    )
    return [
        {
            "at": a.at,
            "actor_kind": a.actor_kind,
            "actor": a.actor_name,
            "reason": a.reason,
        }
        for a in rows.scalars()
    ]


async def _erase_access(db: AsyncSession, req: DataRequest) -> int:
    """The log stays as proof; the customer's own name (self-service reads) is blanked."""
    family = await _family(db, req)
    if not family:
        return 0
    result = await db.execute(
        update(AccountAccess)
        .where(AccountAccess.profile_id.in_(family), AccountAccess.actor_kind == "guest")
        .values(actor_name="", sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def _purge_access(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(AccountAccess).where(AccountAccess.at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="crm.profile",
        tables=["crm_profile", "crm_identity", "crm_merge", "crm_webhook_delivery"],
        export=_export_profile,
        erase=_erase_profile,
        sealed_subjects=_sealed_subjects,
        description=(
            "The customer profile: name, language, tags, the identifiers (email, phone, "
            "wallet, DID) it is known by, and merges with other profiles."
        ),
    )
)
register(
    PersonalDataSource(
        name="crm.notes",
        tables=["crm_note"],
        export=_export_notes,
        erase=_erase_notes,
        erase_before=("crm.profile",),  # found through the profile family
        description="Notes the brand's staff wrote about the customer.",
    )
)
register(
    PersonalDataSource(
        name="crm.timeline",
        tables=["crm_timeline"],
        export=_export_timeline,
        erase=_erase_timeline,
        erase_before=("crm.profile",),  # found through the profile family
        description="What happened with the customer: visits, conversations, orders, bookings.",
    )
)
register(
    PersonalDataSource(
        name="crm.account",
        tables=["crm_vehicle", "crm_service_record", "crm_financing_contract"],
        export=_export_account,
        erase=_erase_account,
        erase_before=("crm.profile",),  # found through the profile family
        description="Account data: financing contracts, owned vehicles and their service history.",
    )
)
register(
    PersonalDataSource(
        name="crm.account_access",
        tables=["crm_account_access"],
        export=_export_access,
        erase=_erase_access,
        erase_before=("crm.profile",),  # found through the profile family
        retention=[
            RetentionRule(
                kind="account_access", days=ACCESS_LOG_RETENTION_DAYS, purge=_purge_access
            )
        ],
        description="Every read of the account data: when, by whom, and why.",
    )
)


async def _verified_customer(db: AsyncSession, principal: Principal, brand_id: str) -> str | None:
    return await verification.verified_customer(db, principal=principal, brand_id=brand_id)


async def _legal_holds(db: AsyncSession, customer_id: str) -> list[str]:
    return await accounts.legal_holds(db, customer_id=customer_id)


register_customer_records(
    CustomerRecords(verified_customer=_verified_customer, legal_holds=_legal_holds)
)
