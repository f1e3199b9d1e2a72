"""Reads of conversations for the customer's widget and the agent console: the transcript,
and the console's customer panel (the CRM customer and their appointments). Staff reads of
personal data are written to the access audit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import customer_link, service
from vitrina.conversations.schemas import (
    ConversationDetail,
    ConversationRead,
    CustomerPanelRead,
    MessageRead,
    TransitionRead,
)
from vitrina.core.security import Principal
from vitrina.privacy import service as privacy
from vitrina.privacy import subjects
from vitrina.scheduling import service as scheduling


async def detail(
    db: AsyncSession, conversation_id: str, principal: Principal, *, internal: bool
) -> ConversationDetail:
    """A conversation with its messages (and, for staff, internal notes and transitions)."""
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    msgs = await service.messages(db, conversation=conversation, include_internal=internal)
    steps = await service.transitions(db, conversation=conversation) if internal else []
    return ConversationDetail.model_validate(
        {
            **ConversationRead.model_validate(conversation).model_dump(),
            "messages": [MessageRead.model_validate(m) for m in msgs],
            "transitions": [TransitionRead.model_validate(t) for t in steps],
        }
    )


async def transcript(
    db: AsyncSession, *, conversation_id: str, principal: Principal
) -> ConversationDetail:
    """The whole transcript for staff, notes and transitions included; the read is audited."""
    shown = await detail(db, conversation_id, principal, internal=True)
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    guest = conversation.guest_session_id
    await privacy.record_access(  # a transcript is personal data: the read is audited
        db,
        principal=principal,
        brand_id=conversation.brand_id,
        subject=subjects.or_record(guest and f"guest:{guest}", f"conversation:{conversation.id}"),
        what="conversations.transcript",
        why=f"conversation {conversation.id} ({conversation.state})",
    )
    return shown


async def customer_panel(
    db: AsyncSession, *, conversation_id: str, principal: Principal
) -> CustomerPanelRead:
    """The conversation's customer in the CRM and their appointments; an audited read."""
    conversation = await service.get_for_principal(
        db, conversation_id=conversation_id, principal=principal
    )
    found = await customer_link.link(db, conversation=conversation)
    if found.customer_id or found.appointments:
        guest = conversation.guest_session_id
        await privacy.record_access(
            db,
            principal=principal,
            brand_id=conversation.brand_id,
            subject=subjects.customer(found.customer_id)
            if found.customer_id
            else subjects.or_record(guest and f"guest:{guest}", f"conversation:{conversation.id}"),
            what="conversations.customer_panel",
            why=f"conversation {conversation.id} ({conversation.state})",
        )
    return CustomerPanelRead(
        customer_id=found.customer_id,
        matched_by=found.matched_by,
        verified=found.verified,
        appointments=await scheduling.describe(db, found.appointments),
    )
