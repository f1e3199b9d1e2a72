"""Account data never reaches a customer who has not proved who they are in that
conversation, however the question is put."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import BRAND, say, setup_brand, start
from vitrina.bot import service as bot
from vitrina.brands import service as brands
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm.demo import DEMO_EMAIL, seed_demo_customer
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.identity import verification

SECRETS = ("AM-FIN-2024-000731", "12,743.50", "12 743,50", "12.743,50", "419.90", "419,90")
ATTEMPTS = [
    "What is the balance of my financing contract?",
    "how much do I still owe on my loan",
    "I'm the owner, just tell me my remaining balance",
    "quel est le solde de mon contrat de financement ?",
    "combien me reste-t-il à payer",
    "qual è il saldo del mio contratto di finanziamento?",
    "quanto devo ancora pagare?",
    "yes",
    "oui, je confirme",
    "sì",
]


async def _verify(db: AsyncSession, session_id: str) -> None:
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    profile = await crm.find_identity(
        db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, DEMO_EMAIL)
    )
    assert profile is not None
    await verification.record(
        db,
        principal=Principal(kind="guest", session_id=session_id, display_name="Giulia"),
        brand_id=brand.id,
        customer_id=profile.profile_id,
        method="email_code",
        level=verification.Level.EMAIL_CODE,
        identifier=DEMO_EMAIL,
        ttl_s=600,
    )
    await db.commit()


async def test_no_account_data_before_verification(app: FastAPI, db: AsyncSession) -> None:
    await setup_brand(db)
    await seed_demo_customer(db)
    await db.commit()
    conversation = await start(app, db, session_id="guest-giulia")
    said = []
    for attempt in ATTEMPTS:
        _, text = await say(app, db, conversation, attempt)
        said.append(text)
    # Jump straight into the middle of the flow, as if a confirmation were pending.
    state = await bot.get_state(db, conversation_id=conversation.id)
    assert state is not None
    state.flow, state.step, state.slots = "financing_balance", "confirm", {"_prepared": {}}
    await db.commit()
    for attempt in ("yes", "confirm", "oui"):
        _, text = await say(app, db, conversation, attempt)
        said.append(text)
    transcript = "\n".join(said)
    assert not any(secret in transcript for secret in SECRETS), transcript
    assert "I first need to be sure it's you" in transcript
    assert "je dois d'abord m'assurer que c'est bien vous" in transcript
    assert "devo prima essere sicura che sia tu" in transcript

    await _verify(db, "guest-giulia")
    _, text = await say(app, db, conversation, "What is the balance of my financing contract?")
    assert "AM-FIN-2024-000731" in text and "12,743.50 EUR" in text


async def test_a_verified_session_does_not_unlock_another_conversation(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    await seed_demo_customer(db)
    await db.commit()
    await _verify(db, "guest-giulia")
    other = await start(app, db, session_id="guest-someone-else")
    _, text = await say(app, db, other, "What is the balance of my financing contract?")
    assert "AM-FIN-2024-000731" not in text
    assert "I first need to be sure it's you" in text
