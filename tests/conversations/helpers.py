"""Building blocks for conversation and routing tests: brands, advisors, principals."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import make_staff
from vitrina.brands import service as brands
from vitrina.brands.demo import demo_brand_data, ensure_demo_brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import BOT, Channel
from vitrina.core.events import EventBus
from vitrina.core.security import Principal, Role

BRAND = "aurora-motors"
OTHER_BRAND = "borealis-bikes"


async def make_brands(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    other = demo_brand_data().model_copy(update={"slug": OTHER_BRAND, "name": "Borealis Bikes"})
    await brands.create(db, data=other)
    await db.commit()


async def make_advisor(
    db: AsyncSession,
    *,
    email: str,
    brands_: list[str] | None = None,
    roles: list[str] | None = None,
) -> Principal:
    roles = roles or ["agent"]
    slugs = [BRAND] if brands_ is None else brands_
    user = await make_staff(
        db, email=email, roles=roles, brand_slugs=slugs, name=email.split("@")[0]
    )
    return Principal(
        kind="staff",
        session_id=f"s-{user.id}",
        display_name=user.display_name,
        user_id=user.id,
        roles=frozenset(Role(r) for r in roles),
        brand_slugs=frozenset(slugs),
    )


def guest(session_id: str = "guest-1", name: str = "Mia") -> Principal:
    return Principal(
        kind="guest", session_id=session_id, display_name=name, roles=frozenset({Role.CUSTOMER})
    )


async def queued_conversation(
    db: AsyncSession,
    bus: EventBus,
    *,
    brand: str = BRAND,
    locale: str = "en",
    session_id: str = "guest-1",
    product_line: str | None = None,
) -> Conversation:
    conversation = await conversations.create(
        db,
        bus=bus,
        brand_slug=brand,
        channel=Channel.WIDGET,
        customer_name="Mia",
        locale=locale,
        guest_session_id=session_id,
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=conversation, body="I want a person", channel=Channel.WIDGET
    )
    await conversations.request_handoff(
        db,
        bus=bus,
        conversation_id=conversation.id,
        actor=BOT,
        reason="customer asked",
        product_line=product_line,
    )
    await db.commit()
    return conversation
