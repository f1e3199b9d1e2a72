"""Erasure runs the sources in an order their registrations declare, not by their names."""

from __future__ import annotations

from functools import partial

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.test_conversations_personal_data import (
    EMAIL,
    NAME,
    SLUG,
    WROTE,
    everything,
    run,
)
from vitrina.brands.models import Brand
from vitrina.conversations import service as conversations
from vitrina.conversations.states import Channel
from vitrina.core.config import Settings
from vitrina.core.events import EventBus
from vitrina.crm import service as crm
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.privacy import registry


async def _nothing(*_: object) -> list[registry.Row]:
    return []


async def _none(*_: object) -> int:
    return 0


def _source(name: str, *later: str) -> registry.PersonalDataSource:
    return registry.PersonalDataSource(
        name=name, tables=[], export=_nothing, erase=_none, erase_before=later
    )


@pytest.mark.parametrize("reverse_ties", [False, True])
def test_every_source_erases_before_those_it_finds_its_rows_through(reverse_ties: bool) -> None:
    order = [s.name for s in registry.erase_order(reverse_ties=reverse_ties)]
    assert sorted(order) == sorted(s.name for s in registry.sources())
    for source in registry.sources():
        for later in source.erase_before:
            assert order.index(source.name) < order.index(later), (source.name, later)
    # The dependencies that names alone used to satisfy, by luck, are now declared.
    assert order.index("bot.dialogues") < order.index("conversations.messages")
    assert order.index("conversations.messages") < order.index("conversations.threads")
    assert order.index("conversations.threads") < order.index("crm.profile")
    assert order.index("identity.verification") < order.index("crm.profile")


def test_an_unknown_name_or_a_cycle_is_refused() -> None:
    try:
        registry.register(_source("zz.first", "zz.nowhere"))
        with pytest.raises(ValueError, match=r"unknown source 'zz\.nowhere'"):
            registry.erase_order()
        registry.register(_source("zz.first", "zz.second"))
        registry.register(_source("zz.second", "zz.first"))
        with pytest.raises(ValueError, match="cycle"):
            registry.erase_order()
        registry.register(_source("zz.second"))
        order = [s.name for s in registry.erase_order(reverse_ties=True)]
        assert order.index("zz.first") < order.index("zz.second")
    finally:
        registry.unregister("zz.first")
        registry.unregister("zz.second")


async def test_a_customer_found_by_email_is_erased_whatever_the_tie_order(
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    brand: Brand,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ties broken in reverse name order, the CRM profile (and its identities) would
    go before the conversations found through them, if nothing declared otherwise."""
    monkeypatch.setattr(registry, "erase_order", partial(registry.erase_order, reverse_ties=True))
    bus = EventBus()
    profile = await crm.create(
        db,
        bus=None,
        brand_id=brand.id,
        display_name=NAME,
        identities=[(normalise(IdentityKind.EMAIL, EMAIL), None)],
    )
    by_mail = await conversations.create(
        db,
        bus=bus,
        brand_slug=SLUG,
        channel=Channel.EMAIL,
        customer_name=NAME,
        subject="Call back",
        customer_email=EMAIL,
    )
    await conversations.post_customer_message(
        db, bus=bus, conversation=by_mail, body=WROTE, channel=Channel.EMAIL
    )
    subject, conversation_id, brand_id = f"customer:{profile.id}", by_mail.id, brand.id
    await db.commit()

    await run(app, db, settings, brand_id, subject, "erasure")
    dump = await everything(db, conversation_id)
    assert WROTE not in dump and EMAIL not in dump and NAME not in dump
