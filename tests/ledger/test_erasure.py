"""Erasure shreds the salt: the chain still verifies byte for byte, the commitments point
to no one; the access export hands the salt over so the person can prove their entries."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.core.errors import Conflict
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service as ledger
from vitrina.ledger import verify
from vitrina.ledger.models import LedgerSalt
from vitrina.privacy import requests
from vitrina.privacy.models import PrivacyRequest
from vitrina.services import services_of

CUSTOMER = "5b7d1c0e-1d2f-4c3a-9e8b-7a6f5e4d3c2b"


async def _run_request(app: object, db: AsyncSession, brand: Brand, kind: str) -> PrivacyRequest:
    req = await requests.create(
        db, brand_id=brand.id, subject=f"customer:{CUSTOMER}", kind=kind, requested_by="dpo"
    )
    await db.commit()
    services = services_of(app)  # type: ignore[arg-type]
    await requests.run(sessions=services.sessions, settings=services.settings, request_id=req.id)
    async with services.sessions() as fresh:
        done = await fresh.get(PrivacyRequest, req.id)
    assert done is not None and done.status == "done", done and done.error
    return done


async def test_export_then_erasure(
    app: object, client: AsyncClient, db: AsyncSession, brand: Brand
) -> None:
    paid = await ledger.append(
        db,
        brand=brand.slug,
        kind="order.paid",
        facts={"order": "ord_1"},
        subjects={"owner": CUSTOMER},
    )
    await ledger.append(
        db,
        brand=brand.slug,
        kind="order.paid",
        facts={"order": "ord_2"},
        subjects={"owner": "someone-else"},
    )
    await db.commit()

    # the access export: the entry, the salt, and the commitment recomputes from them
    access = await _run_request(app, db, brand, "access")
    archive = zipfile.ZipFile(requests.archive_path(access))
    rows = json.loads(archive.read("ledger.entries.json"))
    assert [r["seq"] for r in rows] == [paid.seq]
    row = rows[0]
    entry = json.loads(row["entry"])
    assert entry["commitments"]["owner"] == fmt.commitment(
        fmt.unb64(row["salt"]), seq=paid.seq, role="owner", subject=f"customer:{CUSTOMER}"
    )

    before = (await client.get(f"/api/ledger/brands/{brand.slug}/export")).content
    await _run_request(app, db, brand, "erasure")

    # the chain is untouched and still verifies
    after = (await client.get(f"/api/ledger/brands/{brand.slug}/export")).content
    assert after.splitlines()[1:-1] == before.splitlines()[1:-1]
    assert verify.verify_lines(io.BytesIO(after)).ok
    # nothing links the commitment to the person any more
    async with services_of(app).sessions() as fresh:  # type: ignore[arg-type]
        assert await ledger.subject_entries(fresh, brand=brand.slug, subject=CUSTOMER) == []
        assert (
            await fresh.scalar(
                select(LedgerSalt).where(LedgerSalt.subject == f"customer:{CUSTOMER}")
            )
            is None
        )
        links = await fresh.scalar(
            text("SELECT count(*) FROM ledger_subject_link WHERE subject = :s"),
            {"s": f"customer:{CUSTOMER}"},
        )
        assert links == 0
        # and nothing more is written about them
        with pytest.raises(Conflict) as refused:
            await ledger.append(
                fresh, brand=brand.slug, kind="order.paid", subjects={"owner": CUSTOMER}
            )
        assert refused.value.code == "ledger_subject_erased"
    assert CUSTOMER not in after.decode()
