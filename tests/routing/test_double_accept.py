"""Two advisors accept the same conversation at the same moment: exactly one wins."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import make_advisor, make_brands, queued_conversation
from vitrina.conversations.models import Conversation
from vitrina.core.db import transaction
from vitrina.core.errors import Conflict
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.routing import service as routing
from vitrina.routing.schemas import Presence, PresenceUpdate
from vitrina.services import services_of


async def test_concurrent_accepts_have_exactly_one_winner(app: FastAPI, db: AsyncSession) -> None:
    bus = EventBus()
    await make_brands(db)
    advisors = [await make_advisor(db, email=f"a{i}@example.com") for i in range(4)]
    for advisor in advisors:
        await routing.set_presence(
            db, bus=bus, principal=advisor, data=PresenceUpdate(status=Presence.ONLINE, capacity=10)
        )
    await db.commit()
    for round_ in range(5):
        conversation = await queued_conversation(db, bus, session_id=f"g{round_}")

        async def accept(advisor: Principal, conversation_id: str = conversation.id) -> str:
            try:
                async with transaction(services_of(app).sessions) as session:
                    await routing.accept(
                        session, bus=bus, principal=advisor, conversation_id=conversation_id
                    )
                return "won"
            except Conflict as exc:
                return exc.code

        outcomes = await asyncio.gather(*(accept(a) for a in advisors))
        assert sorted(outcomes) == ["already_claimed"] * 3 + ["won"]
        async with services_of(app).sessions() as fresh:
            stored = await fresh.get(Conversation, conversation.id)
            assert stored is not None and stored.state == "assigned"
            winner = advisors[outcomes.index("won")]
            assert stored.assigned_agent_id == winner.user_id
