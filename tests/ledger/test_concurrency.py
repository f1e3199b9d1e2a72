"""Concurrent appends from many transactions: one chain per brand, no fork, no gap, also
when the first appends race to create the brand's chain."""

from __future__ import annotations

import asyncio
import io
import json

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.core.db import transaction
from vitrina.ledger import service as ledger
from vitrina.ledger import verify
from vitrina.services import services_of


async def test_concurrent_appends_form_one_chain(
    app: object, client: AsyncClient, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    sessions = services_of(app).sessions  # type: ignore[arg-type]
    writers, each = 12, 8

    async def writer(n: int) -> list[int]:
        seqs = []
        for i in range(each):
            slug = brand.slug if (n + i) % 3 else other_brand.slug
            async with transaction(sessions) as tx:
                ref = await ledger.append(
                    tx,
                    brand=slug,
                    kind="twin.transferred",
                    facts={"writer": n, "i": i},
                    subjects={"owner": f"cust-{n}"},
                )
                if i % 4 == 3:
                    await asyncio.sleep(0)  # hold the lock across a yield
                seqs.append(ref.seq)
        return seqs

    results = await asyncio.gather(*(writer(n) for n in range(writers)))
    assert sum(len(r) for r in results) == writers * each
    total = 0
    for slug in (brand.slug, other_brand.slug):
        data = (await client.get(f"/api/ledger/brands/{slug}/export")).content
        report = verify.verify_lines(io.BytesIO(data))
        assert report.ok, report.fault
        lines = data.splitlines()[1:-1]
        assert [json.loads(line)["seq"] for line in lines] == list(range(len(lines)))
        total += len(lines) - 1  # less the genesis
    assert total == writers * each
