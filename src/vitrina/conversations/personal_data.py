"""What conversations hold about a person, for the access export, erasure and retention.

A conversation belongs to a guest through `guest_session_id`; a known customer is found
through the identifiers the CRM holds for their profile (email addresses match
`customer_email`, any identifier may be the `external_contact` of a messaging app).
Note that the `subject` column of a conversation is its topic line, written by the
customer, not a privacy subject.

Erasure keeps the conversations and their messages as anonymous history (counts, states,
handle times and CSAT scores stay right) and blanks every personal field: the customer's
name, contact details and place in the world, the topic, the handoff summary, the CSAT
comment, and the text and data of every message of the transcript (internal advisor
notes included, though the export leaves them out as the customer never sees them). An
open conversation stays open, anonymous. Retention deletes resolved conversations whose
last message is older than two years ("transcripts").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.models import Conversation, Message, Transition, WebhookDelivery
from vitrina.conversations.states import State
from vitrina.core import sealing
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.identifiers import IdentityKind
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)

RETENTION_DAYS = 2 * 365


# --- what is sealed at rest, and under whose key ------------------------------------------
# A conversation is sealed under a key of its own (`conversation:<id>`): it belongs to one
# brand while its guest session, email address or messaging contact may reach several,
# and it is often started before anyone knows who the customer is. It keeps that key when
# it is linked to a customer later; the erasure of the guest or customer finds it (by
# guest session, by the sessions verified as the customer, by the customer's email
# addresses and contacts) and destroys its key with theirs. Everything recorded in a
# conversation (messages, the customer's transitions, replies queued for a messaging app,
# the bot's answers) is sealed under the conversation's key.


def _of_conversation(_rows: sealing.Rows, c: Conversation) -> str:
    return f"conversation:{c.id}"


def sealed_subject(rows: sealing.Rows, conversation_id: str) -> str | None:
    """The subject a conversation is sealed under, for the rows other domains keep about it."""
    return rows.sealed_for(Conversation, conversation_id)


def _of_parent(rows: sealing.Rows, row: Message | Transition | WebhookDelivery) -> str | None:
    return sealed_subject(rows, row.conversation_id)


sealing.seal_columns(
    Conversation,
    "subject",
    "customer_name",
    "customer_email",
    "external_contact",
    "handoff_summary",
    "csat_comment",
    subject=_of_conversation,
    blind={
        "customer_email": sealing.Blind("customer_email_hash", str.lower),
        "external_contact": sealing.Blind("external_contact_hash"),
    },
)
sealing.seal_columns(Message, "author_name", "body", "data", subject=_of_parent)
# A state change by the bot, an advisor or the system is no one's personal data (and stays
# readable after an erasure); one by the customer carries their name.
sealing.seal_columns(
    Transition,
    "actor_name",
    "reason",
    subject=lambda r, t: _of_parent(r, t) if t.actor_kind == "customer" else sealing.CLEAR,
)
sealing.seal_columns(WebhookDelivery, "payload", subject=_of_parent)
sealing.not_personal(
    "conversation",
    assigned_agent_name="the advisor's name (staff)",
    world_room="a room of the brand's storefront",
)
sealing.not_personal(
    "conversation_message", external_id="an email Message-ID or a messaging app's message id"
)
sealing.not_personal(
    "conversation_webhook_delivery", last_error="the bridge's HTTP failure, no message text"
)
sealing.not_personal(
    "canned_response",
    title="the brand's canned answer",
    body="the brand's canned answer",
    shortcut="the brand's canned answer",
)
sealing.not_personal("conversation_webhook_channel", outbound_url="the brand's bridge")


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    ids = await conversation_ids(db, req)
    if not ids:
        return set()
    return await sealing.subjects_sealing(db, Conversation, Conversation.id.in_(ids))


async def _whose(db: AsyncSession, req: DataRequest) -> ColumnElement[bool]:
    kind, _, value = req.subject.partition(":")
    if kind == "guest":
        return Conversation.guest_session_id == value
    if kind != "customer":
        return false()
    profile = await crm.get(db, customer_id=value)
    if profile is None or profile.brand_id != req.brand_id:
        return false()
    family = await crm.family_ids(db, root_id=profile.id)
    identities = await crm.identities_of(db, profile_ids=family)
    # Conversations started by a guest who then proved to be this customer.
    sessions = await verification.sessions_of(db, customer_ids=family, brand_id=req.brand_id)
    emails = [i.value.lower() for i in identities if i.kind == IdentityKind.EMAIL]
    contacts = [i.value for i in identities]
    conditions: list[ColumnElement[bool]] = []
    if sessions:
        conditions.append(Conversation.guest_session_id.in_(sessions))
    if emails:
        hashes = await sealing.blind_many(db, emails)
        conditions.append(Conversation.customer_email_hash.in_(hashes))
    if contacts:
        hashes = await sealing.blind_many(db, contacts)
        conditions.append(Conversation.external_contact_hash.in_(hashes))
    return or_(*conditions) if conditions else false()


async def conversation_ids(db: AsyncSession, req: DataRequest) -> list[str]:
    """The ids of the subject's conversations on the request's brand, oldest first."""
    rows = await db.execute(
        select(Conversation.id)
        .where(Conversation.brand_id == req.brand_id, await _whose(db, req))
        .order_by(Conversation.created_at, Conversation.id)
    )
    return list(rows.scalars())


async def _export_threads(db: AsyncSession, req: DataRequest) -> list[Row]:
    ids = await conversation_ids(db, req)
    if not ids:
        return []
    rows = await db.execute(
        select(Conversation).where(Conversation.id.in_(ids)).order_by(Conversation.created_at)
    )
    return [
        {
            "conversation": c.id,
            "started_at": c.created_at,
            "channel": c.channel,
            "state": c.state,
            "locale": c.locale,
            "topic": c.subject,
            "name": c.customer_name,
            "email": c.customer_email,
            "messaging_contact": c.external_contact,
            "world_room": c.world_room,
            "advisor": c.assigned_agent_name,
            "handoff_summary": c.handoff_summary,
            "messages": c.message_count,
            "resolved_at": c.resolved_at,
            "disposition": c.disposition,
            "csat_score": c.csat_score,
            "csat_comment": c.csat_comment,
        }
        for c in rows.scalars()
    ]


async def _export_messages(db: AsyncSession, req: DataRequest) -> list[Row]:
    ids = await conversation_ids(db, req)
    if not ids:
        return []
    rows = await db.execute(
        select(Message)
        .where(Message.conversation_id.in_(ids), Message.internal.is_(False))
        .order_by(Message.conversation_id, Message.seq)
    )
    return [
        {
            "conversation": m.conversation_id,
            "seq": m.seq,
            "at": m.created_at,
            "author": m.author_kind,
            "author_name": m.author_name,
            "kind": m.kind,
            "channel": m.channel,
            "text": m.body,
            "data": m.data,
        }
        for m in rows.scalars()
    ]


async def _blank_transcript(db: AsyncSession, ids: Sequence[str]) -> int:
    count = (
        await db.execute(
            select(func.count()).select_from(Message).where(Message.conversation_id.in_(ids))
        )
    ).scalar_one()
    await db.execute(
        update(Message)
        .where(Message.conversation_id.in_(ids))
        .values(body="", data={}, external_id=None, sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Message)
        .where(Message.conversation_id.in_(ids), Message.author_kind == "customer")
        .values(author_id=None, author_name="")
        .execution_options(synchronize_session=False)
    )
    # Replies queued for a messaging app are copies of messages: never send them now.
    await db.execute(delete(WebhookDelivery).where(WebhookDelivery.conversation_id.in_(ids)))
    await db.execute(
        update(Transition)
        .where(Transition.conversation_id.in_(ids), Transition.actor_kind == "customer")
        .values(actor_id=None, actor_name="")
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Transition)
        .where(Transition.conversation_id.in_(ids), Transition.sealed_for.is_not(None))
        .values(sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    return int(count)


async def _erase_messages(db: AsyncSession, req: DataRequest) -> int:
    """Blank the transcripts; declared to run before the threads eraser."""
    ids = await conversation_ids(db, req)
    return await _blank_transcript(db, ids) if ids else 0


async def _erase_threads(db: AsyncSession, req: DataRequest) -> int:
    """Blank the conversations themselves, and their transcripts again in case the
    messages eraser did not run first: erasure must not depend on the order."""
    ids = await conversation_ids(db, req)
    if not ids:
        return 0
    await _blank_transcript(db, ids)
    await db.execute(
        update(Conversation)
        .where(Conversation.id.in_(ids))
        .values(
            subject="",
            customer_name="",
            guest_session_id=None,
            customer_email=None,
            customer_email_hash=None,
            external_contact=None,
            external_contact_hash=None,
            world_room=None,
            world_avatar_id=None,
            handoff_summary={},
            csat_comment=None,
            sealed_for=sealing.ERASED,
        )
        .execution_options(synchronize_session=False)
    )
    return len(ids)


async def _purge(db: AsyncSession, cutoff: datetime) -> int:
    old = select(Conversation.id).where(
        Conversation.state == State.RESOLVED.value,
        Conversation.last_message_at < cutoff,
    )
    await db.execute(delete(WebhookDelivery).where(WebhookDelivery.conversation_id.in_(old)))
    await db.execute(delete(Message).where(Message.conversation_id.in_(old)))
    await db.execute(delete(Transition).where(Transition.conversation_id.in_(old)))
    result = await db.execute(
        delete(Conversation).where(
            Conversation.state == State.RESOLVED.value,
            Conversation.last_message_at < cutoff,
        )
    )
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="conversations.threads",
        tables=["conversation", "conversation_transition"],
        export=_export_threads,
        erase=_erase_threads,
        sealed_subjects=_sealed_subjects,
        # A customer's conversations are found by the emails of their CRM identities and
        # the sessions verified as them.
        erase_before=("crm.profile", "identity.verification"),
        retention=[RetentionRule(kind="transcripts", days=RETENTION_DAYS, purge=_purge)],
        description=(
            "Your conversations with the bot and advisors: channel, state, topic, the name"
            " and contact details you gave, the handoff summary and your rating."
        ),
    )
)

register(
    PersonalDataSource(
        name="conversations.messages",
        tables=["conversation_message", "conversation_webhook_delivery"],
        export=_export_messages,
        erase=_erase_messages,
        # Messages are found through their conversations, which the threads eraser blanks.
        erase_before=("conversations.threads", "crm.profile", "identity.verification"),
        description="Every message of your conversations that you can see, in order.",
    )
)
