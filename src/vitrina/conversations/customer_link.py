"""Who the customer of a conversation is in the CRM, for the console's customer panel.

A guest session that proved who it is (Sign-In with Ethereum, an email code) names its
CRM customer; an email conversation is matched by the sender's address among the brand's
CRM identities, verified or not (the panel says which). The panel then reads the
customer 360 from the CRM's own API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.models import Conversation
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.identifiers import IdentityKind, InvalidIdentifier, normalise
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Appointment


@dataclass
class CustomerLink:
    customer_id: str | None = None
    # verified_session: the customer proved who they are in this conversation's session;
    # email: the sender's address is one of the customer's identities.
    matched_by: Literal["verified_session", "email"] | None = None
    verified: bool = False
    appointments: list[Appointment] = field(default_factory=list)


async def link(db: AsyncSession, *, conversation: Conversation) -> CustomerLink:
    found = await identify(db, conversation=conversation)
    # Appointments booked from this session, or under the customer's CRM reference.
    found.appointments = await scheduling.list_for_customer(
        db,
        customer_ref=f"customer:{found.customer_id}" if found.customer_id else None,
        guest_session_id=conversation.guest_session_id,
        brand_slug=conversation.brand_slug,
    )
    return found


async def identify(db: AsyncSession, *, conversation: Conversation) -> CustomerLink:
    """The CRM customer of the conversation, without the appointments."""
    found = CustomerLink()
    if conversation.guest_session_id:
        customer_id = await verification.customer_of_session(
            db, session_id=conversation.guest_session_id, brand_id=conversation.brand_id
        )
        if customer_id is not None:
            found = CustomerLink(customer_id, "verified_session", verified=True)
    if found.customer_id is None and conversation.customer_email:
        try:
            identifier = normalise(IdentityKind.EMAIL, conversation.customer_email)
        except InvalidIdentifier:
            identifier = None
        identity = (
            await crm.find_identity(db, brand_id=conversation.brand_id, identifier=identifier)
            if identifier is not None
            else None
        )
        if identity is not None:
            profile = await crm.get(db, customer_id=identity.profile_id)
            if profile is not None:
                root = await crm.root_of(db, profile)
                found = CustomerLink(root.id, "email", verified=identity.verified_at is not None)
    return found
