"""The demo service desk is seeded once, whatever the number of runs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import make_brands
from vitrina.conversations import canned
from vitrina.routing import service
from vitrina.routing.demo import seed_service_desk


async def test_seed_service_desk_is_idempotent(db: AsyncSession) -> None:
    await make_brands(db)
    first = await seed_service_desk(db)
    again = await seed_service_desk(db)
    await db.commit()
    assert first == "service desk: 3 queues and 9 canned responses created"
    assert again == "service desk: 0 queues and 0 canned responses created"
    queues = await service.list_queues(db, brand_slugs=["aurora-motors"])
    assert [q.name for q in queues] == ["financing", "general", "sales"]
    french = await canned.list_canned(db, brand_slug="aurora-motors", locale="fr")
    assert {c.shortcut for c in french} == {"greet", "testdrive", "bye"}
