"""Account data (financing contracts, vehicles, service history) behind one guard.

`read_account` refuses unless the caller is the customer (a guest session verified as
that customer, see crm.verification) or staff of the customer's brand giving a
reason. Every read, by either, is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Forbidden
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.account_models import (
    AccountAccess,
    FinancingContract,
    OwnedVehicle,
    ServiceRecord,
)
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.models import CustomerProfile


@dataclass(slots=True)
class Account:
    profile: CustomerProfile
    contracts: list[FinancingContract]
    vehicles: list[tuple[OwnedVehicle, list[ServiceRecord]]] = field(default_factory=list)


class NotVerified(AppError):
    status = 403
    code = CrmErrorCode.NOT_VERIFIED


async def read_account(
    db: AsyncSession,
    *,
    principal: Principal,
    customer_id: str | None = None,
    reason: str | None = None,
) -> Account:
    """The account of `customer_id` (or, for a customer, of the one the session is verified as)."""
    if principal.kind == "guest":
        verified = await verification.current(db, principal=principal)
        if verified is None:
            raise NotVerified("Prove who you are first (wallet, email code or DID).")
        profile = await crm.get_or_raise(db, customer_id=verified.customer_id)
        if customer_id is not None:
            asked = await crm.root_of(db, await crm.get_or_raise(db, customer_id=customer_id))
            if asked.id != profile.id:
                raise NotVerified("This session is verified as another customer.")
        actor_id, why = principal.session_id, f"customer self-service ({verified.method})"
    elif principal.kind == "staff":
        if not reason or len(reason.strip()) < 5:
            raise AppError(
                "Staff must give a reason (5 characters or more) to read account data.",
                code=CrmErrorCode.REASON_REQUIRED,
            )
        if customer_id is None:
            raise AppError("Which customer?", code=CrmErrorCode.CUSTOMER_NOT_FOUND)
        asked = await crm.get_visible_or_raise(db, principal=principal, customer_id=customer_id)
        profile = await crm.root_of(db, asked)
        actor_id, why = principal.user_id or principal.session_id, reason.strip()
    else:
        raise Forbidden("Account data is for the customer or the brand's staff only.")
    db.add(
        AccountAccess(
            id=new_id(),
            brand_id=profile.brand_id,
            profile_id=profile.id,
            actor_kind=principal.kind,
            actor_id=actor_id,
            actor_name=principal.display_name[:120],
            reason=why[:500],
            at=utcnow(),
        )
    )
    await db.flush()
    family = await crm.family_ids(db, root_id=profile.id)
    contracts = await db.execute(
        select(FinancingContract).where(FinancingContract.profile_id.in_(family))
    )
    vehicles = list(
        (
            await db.execute(
                select(OwnedVehicle)
                .where(OwnedVehicle.profile_id.in_(family))
                .order_by(OwnedVehicle.year.desc())
            )
        ).scalars()
    )
    # Contract numbers are sealed at rest: ordered once opened.
    account = Account(
        profile=profile, contracts=sorted(contracts.scalars(), key=lambda c: c.number)
    )
    for vehicle in vehicles:
        records = await db.execute(
            select(ServiceRecord)
            .where(ServiceRecord.vehicle_id == vehicle.id)
            .order_by(ServiceRecord.performed_on.desc())
        )
        account.vehicles.append((vehicle, list(records.scalars())))
    return account


async def access_log(db: AsyncSession, *, profile_ids: list[str]) -> list[AccountAccess]:
    rows = await db.execute(
        select(AccountAccess)
        .where(AccountAccess.profile_id.in_(profile_ids))
        .order_by(AccountAccess.at.desc())
        .limit(100)
    )
    return list(rows.scalars())


async def legal_holds(db: AsyncSession, *, customer_id: str) -> list[str]:
    """Why some of the customer's records must outlive an erasure request: a financing
    contract that still runs is kept (with its parties) while the law requires it."""
    profile = await crm.get(db, customer_id=customer_id)
    if profile is None:
        return []
    root = await crm.root_of(db, profile)
    ids = await crm.family_ids(db, root_id=root.id)
    today = utcnow().date()
    running = (
        await db.execute(
            select(FinancingContract.id).where(
                FinancingContract.profile_id.in_(ids),
                (FinancingContract.ends_on.is_(None)) | (FinancingContract.ends_on >= today),
            )
        )
    ).first()
    return ["financing_contract"] if running is not None else []
