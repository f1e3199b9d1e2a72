"""Import and export of customers as CSV or JSON, with a dry run and row-level errors.

One row is one customer: `display_name, locale, tags` (tags separated by `;`) and any of
`email, phone, wallet, chain_id, did, external_id, handle` (several values of one kind
separated by `;`). A row whose identifiers all belong to one existing customer updates
it (missing identifiers are added, unverified); a row matching nobody creates one; a row
matching two customers, or with an invalid field, is reported and skipped. A dry run
reports the same without writing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.errors import AppError
from vitrina.core.events import EventBus
from vitrina.crm import service
from vitrina.crm.errors import CrmErrorCode
from vitrina.crm.identifiers import (
    MAX_CHAIN_ID,
    Identifier,
    IdentityKind,
    InvalidIdentifier,
    normalise,
)
from vitrina.crm.models import CustomerIdentity, CustomerProfile

COLUMNS = {
    "email": IdentityKind.EMAIL,
    "phone": IdentityKind.PHONE,
    "wallet": IdentityKind.WALLET,
    "did": IdentityKind.DID,
    "external_id": IdentityKind.EXTERNAL,
    "handle": IdentityKind.HANDLE,
}
FIELDS = ["display_name", "locale", "tags", *COLUMNS, "chain_id"]
MAX_ROWS = 10_000


@dataclass(slots=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass(slots=True)
class Report:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _has_nul(value: Any) -> bool:
    # Iterative: an imported row may nest almost as deep as the JSON parser allows.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False


def parse(content: str, fmt: str) -> list[dict[str, Any]]:
    rows = _parse_rows(content, fmt)
    for number, row in enumerate(rows, start=1):
        if _has_nul(row):  # PostgreSQL text cannot hold it
            raise AppError(
                f"Row {number} contains a NUL character (U+0000).",
                code=CrmErrorCode.IMPORT_INVALID,
            )
    return rows


def _parse_rows(content: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise AppError(f"Not JSON: {exc}", code=CrmErrorCode.IMPORT_INVALID) from None
        except RecursionError:
            raise AppError(
                "JSON import nested too deeply.", code=CrmErrorCode.IMPORT_INVALID
            ) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise AppError("JSON import is a list of objects.", code=CrmErrorCode.IMPORT_INVALID)
        rows: list[dict[str, Any]] = data
    else:
        reader = csv.DictReader(io.StringIO(content))
        unknown = set(reader.fieldnames or []) - {"customer_id", *FIELDS}
        if unknown:
            raise AppError(
                f"Unknown CSV columns: {', '.join(sorted(unknown))}.",
                code=CrmErrorCode.IMPORT_INVALID,
            )
        rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise AppError(f"At most {MAX_ROWS} rows per import.", code=CrmErrorCode.IMPORT_INVALID)
    return rows


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _row_identifiers(
    number: int, row: dict[str, Any], errors: list[RowError]
) -> tuple[list[Identifier], int | None]:
    idents: list[Identifier] = []
    chain_id: int | None = None
    if str(row.get("chain_id") or "").strip():
        try:
            chain_id = int(str(row["chain_id"]).strip())
        except ValueError:
            errors.append(RowError(number, "chain_id", "not a number"))
        else:
            if not 1 <= chain_id <= MAX_CHAIN_ID:
                errors.append(RowError(number, "chain_id", "not an EIP-155 chain id"))
                chain_id = None
    for column, kind in COLUMNS.items():
        for raw in _split(row.get(column)):
            try:
                idents.append(normalise(kind, raw))
            except InvalidIdentifier as exc:
                errors.append(RowError(number, column, str(exc)))
    if not idents:
        errors.append(RowError(number, "*", "a row needs at least one identifier"))
    return idents, chain_id


async def import_rows(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    brand_id: str,
    rows: list[dict[str, Any]],
    dry_run: bool,
) -> Report:
    report = Report(dry_run=dry_run, rows=len(rows))
    claimed: dict[Identifier, int] = {}
    for number, row in enumerate(rows, start=1):
        errors: list[RowError] = []
        idents, chain_id = _row_identifiers(number, row, errors)
        for ident in idents:
            if ident in claimed:
                errors.append(
                    RowError(number, ident.kind, f"{ident.value} is also on row {claimed[ident]}")
                )
        owners: set[str] = set()
        for ident in idents:
            found = await service.find_identity(db, brand_id=brand_id, identifier=ident)
            if found is not None:
                owner = await service.get_or_raise(db, customer_id=found.profile_id)
                owners.add((await service.root_of(db, owner)).id)
        if len(owners) > 1:
            errors.append(RowError(number, "*", "the identifiers belong to different customers"))
        if errors:
            report.errors += errors
            continue
        for ident in idents:
            claimed[ident] = number
        name = str(row.get("display_name") or "").strip()[:120]
        locale = str(row.get("locale") or "").strip()[:8] or None
        tags = _split(row.get("tags"))
        if owners:
            profile = await service.get_or_raise(db, customer_id=owners.pop())
            missing = [
                i
                for i in idents
                if await service.find_identity(db, brand_id=brand_id, identifier=i) is None
            ]
            changes = (
                bool(missing)
                or (name and name != profile.display_name)
                or bool(set(tags) - set(profile.tags))
            )
            if not changes:
                report.unchanged += 1
                continue
            report.updated += 1
            if dry_run:
                continue
            await service.update(
                db,
                bus=bus,
                profile=profile,
                display_name=name or None,
                locale=locale,
                tags=sorted(set(profile.tags) | set(tags)),
            )
            for ident in missing:
                await service.link_identity(
                    db,
                    bus=bus,
                    profile=profile,
                    identifier=ident,
                    chain_id=chain_id,
                    source="import",
                )
        else:
            report.created += 1
            if dry_run:
                continue
            await service.create(
                db,
                bus=bus,
                brand_id=brand_id,
                display_name=name,
                locale=locale,
                tags=tags,
                identities=[(i, chain_id) for i in idents],
                source="import",
            )
    return report


async def export_rows(db: AsyncSession, *, brand_id: str) -> list[dict[str, Any]]:
    """Every customer of the brand (merged profiles folded into their survivor)."""
    profiles = list(
        (
            await db.execute(
                select(CustomerProfile)
                .where(CustomerProfile.brand_id == brand_id)
                .order_by(CustomerProfile.created_at, CustomerProfile.id)
            )
        ).scalars()
    )
    by_id = {p.id: p for p in profiles}

    def root(profile_id: str) -> str:
        seen = 0
        while by_id[profile_id].merged_into_id and seen < 32:
            profile_id = by_id[profile_id].merged_into_id or profile_id
            seen += 1
        return profile_id

    identities = await db.execute(
        select(CustomerIdentity)
        .where(CustomerIdentity.brand_id == brand_id)
        .order_by(CustomerIdentity.created_at)
    )
    values: dict[str, dict[str, list[str]]] = {}
    chains: dict[str, int] = {}
    for ident in identities.scalars():
        owner = root(ident.profile_id)
        column = next(c for c, k in COLUMNS.items() if k == ident.kind)
        values.setdefault(owner, {}).setdefault(column, []).append(ident.value)
        if ident.chain_id is not None:
            chains[owner] = ident.chain_id
    rows = []
    for profile in profiles:
        if profile.merged_into_id is not None:
            continue
        row: dict[str, Any] = {
            "customer_id": profile.id,
            "display_name": profile.display_name,
            "locale": profile.locale or "",
            "tags": ";".join(profile.tags),
        }
        for column in COLUMNS:
            row[column] = ";".join(values.get(profile.id, {}).get(column, []))
        row["chain_id"] = chains.get(profile.id, "")
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["customer_id", *FIELDS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
