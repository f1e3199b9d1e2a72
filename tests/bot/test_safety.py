"""Account data never reaches a customer who has not proved who they are in that
conversation, however the question is put."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import say, setup_brand, start, verify
from vitrina.bot import service as bot
from vitrina.crm.demo import seed_demo_customer

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

    await verify(db, "guest-giulia")
    _, text = await say(app, db, conversation, "What is the balance of my financing contract?")
    assert "AM-FIN-2024-000731" in text and "12,743.50 EUR" in text


async def test_a_verified_session_does_not_unlock_another_conversation(
    app: FastAPI, db: AsyncSession
) -> None:
    await setup_brand(db)
    await seed_demo_customer(db)
    await db.commit()
    await verify(db, "guest-giulia")
    other = await start(app, db, session_id="guest-someone-else")
    _, text = await say(app, db, other, "What is the balance of my financing contract?")
    assert "AM-FIN-2024-000731" not in text
    assert "I first need to be sure it's you" in text
