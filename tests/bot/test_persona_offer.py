"""The bot offers the persona choice: it lists the brand's personas in the customer's
language, understands the answer by any of their names, and keeps the choice (only with
consent to personal suggestions), so the store's suggestions follow it."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import BRAND, say, setup_brand, start
from vitrina.bot.slots import extract_persona
from vitrina.brands import service as brands
from vitrina.catalog import assets
from vitrina.catalog.demo import seed_catalog
from vitrina.insights import personas
from vitrina.insights.demo import seed_personas
from vitrina.privacy import service as privacy
from vitrina.privacy.texts import Purpose
from vitrina.services import services_of

CHOICES = {
    "first-electric": [
        "My first electric car",
        "Ma première voiture électrique",
        "La mia prima auto elettrica",
    ],
    "family": ["A car for the family", "Une voiture familiale", "Un'auto per la famiglia"],
    "performance": ["Performance", "Performance", "Prestazioni"],
}


def test_a_persona_is_understood_by_any_of_its_names_or_its_own_words() -> None:
    assert extract_persona("performance please", CHOICES) == "performance"
    assert extract_persona("plutôt familiale", CHOICES) == "family"
    assert extract_persona("la famiglia, direi", CHOICES) == "family"
    assert extract_persona("ma première voiture electrique", CHOICES) == "first-electric"
    assert extract_persona("prestazioni!", CHOICES) == "performance"
    # Words every persona shares ("car", "voiture") name none; two personas at once, neither.
    assert extract_persona("a car", CHOICES) is None
    assert extract_persona("family or performance", CHOICES) is None


async def _shop(app: FastAPI, db: AsyncSession) -> str:
    await setup_brand(db)
    await seed_catalog(db, store=assets.asset_store(services_of(app).settings.data_dir))
    await seed_personas(db)
    await db.commit()
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    return brand.id


async def _consent(db: AsyncSession, brand_id: str, session_id: str) -> None:
    await privacy.record_choices(
        db,
        brand_id=brand_id,
        subject=f"guest:{session_id}",
        choices={Purpose.PERSONALISATION: True},
        channel="widget",
    )
    await db.commit()


async def test_the_bot_offers_the_choice_and_keeps_it_in_french(
    app: FastAPI, db: AsyncSession
) -> None:
    brand_id = await _shop(app, db)
    await _consent(db, brand_id, "guest-persona-fr")
    conversation = await start(app, db, locale="fr", session_id="guest-persona-fr")

    turn, text = await say(app, db, conversation, "Aidez-moi à choisir, je ne sais pas trop")
    assert turn.outcome == "flow:choose_persona", text
    assert "Ma première voiture électrique, Une voiture familiale ou Performance" in text

    _, text = await say(app, db, conversation, "plutôt familiale")
    assert "C'est noté : Une voiture familiale." in text
    chosen = await personas.chosen(db, brand_id=brand_id, subject="guest:guest-persona-fr")
    assert chosen == "family"


async def test_an_opening_message_that_names_the_persona_needs_no_question(
    app: FastAPI, db: AsyncSession
) -> None:
    brand_id = await _shop(app, db)
    await _consent(db, brand_id, "guest-persona-it")
    conversation = await start(app, db, locale="it", session_id="guest-persona-it")
    turn, text = await say(app, db, conversation, "Cerco la mia prima auto elettrica")
    assert turn.outcome == "flow:choose_persona", text
    assert "Fatto: La mia prima auto elettrica." in text
    chosen = await personas.chosen(db, brand_id=brand_id, subject="guest:guest-persona-it")
    assert chosen == "first-electric"


async def test_without_consent_nothing_is_kept_and_the_customer_is_told_how(
    app: FastAPI, db: AsyncSession
) -> None:
    brand_id = await _shop(app, db)
    conversation = await start(app, db, locale="en", session_id="guest-persona-en")
    _, text = await say(app, db, conversation, "Can you tailor the suggestions to me?")
    assert "What are you looking for: My first electric car, A car for the family or" in text
    _, text = await say(app, db, conversation, "Performance")
    assert 'I can\'t keep "Performance" for you without your consent' in text
    assert await personas.stored(db, brand_id=brand_id, subject="guest:guest-persona-en") is None
