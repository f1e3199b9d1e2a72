"""A brand's whole ledger as one file anyone can verify offline (JSON lines, UTF-8):

    line 1          {"brand":{"id":..,"slug":..},"format":"vitrina-ledger/1","keys":[..]}
    lines 2..n+1    the n entries, seq 0 to n-1, each its canonical line as signed
    line n+2        {"tree_head":{..signed..}}

Every line is canonical JSON and ends with a newline. `vitrina ledger verify FILE`
checks it (docs/ledger.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service

PAGE = 5000


@dataclass(frozen=True, slots=True)
class Plan:
    brand_id: str
    slug: str
    size: int
    header: dict[str, Any]
    tree_head: dict[str, Any]


async def prepare(db: AsyncSession, *, brand: str) -> Plan:
    """What the export will hold, fixed before the first byte is sent (unknown brand:
    NotFound, so the answer is a problem, not a broken stream)."""
    found = await brands.get_by_slug_or_raise(db, slug=brand)
    state = await service.head_state(db, brand_id=found.id)
    head = await service.sign_head(db, state)
    header = {
        "format": fmt.FORMAT,
        "brand": {"id": found.id, "slug": found.slug},
        "keys": await service.public_keys(db, brand_id=found.id),
    }
    return Plan(found.id, found.slug, state.size, header, head)


async def stream(sessions: async_sessionmaker[AsyncSession], plan: Plan) -> AsyncIterator[bytes]:
    """The file, page by page, each page read in a short transaction of its own."""
    yield fmt.canonical(plan.header) + b"\n"
    for start in range(0, plan.size, PAGE):
        async with sessions() as db:
            lines = await service.entry_lines(
                db, brand_id=plan.brand_id, start=start, stop=min(start + PAGE, plan.size)
            )
        yield "".join(line + "\n" for line in lines).encode()
    yield fmt.canonical({"tree_head": plan.tree_head}) + b"\n"
