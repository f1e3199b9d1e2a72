"""Sealing existing plaintext, rotating the master key, re-applying erasures to a backup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.scheduling.conftest import build_shop
from vitrina.app import create_app
from vitrina.brands.models import Brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation, Message
from vitrina.conversations.states import Channel
from vitrina.core.config import Settings
from vitrina.core.crypto import CryptoError, is_token
from vitrina.core.db import new_id, utcnow
from vitrina.core.events import EventBus
from vitrina.crm import service as crm
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.crm.models import CustomerIdentity, CustomerProfile
from vitrina.privacy import backfill, keys
from vitrina.privacy.models import DataKey, Tombstone
from vitrina.scheduling import service as scheduling
from vitrina.scheduling.models import Appointment, AppointmentType
from vitrina.services import services_of

ALICE = "customer:alice-0001"


class Interrupted(Exception):
    """Stands for Ctrl-C, or a server stopped, half-way through the job."""


async def _raw(db: AsyncSession, table: str) -> str:
    rows = await db.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - our own names
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


async def test_plaintext_rows_are_sealed_in_batches_and_the_job_resumes(
    app: FastAPI, db: AsyncSession, brand: Brand
) -> None:
    # Rows as an installation stored them before sealing: written around the ORM.
    now, brand_id = utcnow(), brand.id
    profiles = [
        {
            "id": new_id(),
            "brand_id": brand_id,
            "display_name": f"Legacy Person {i}",
            "locale": "en",
            "tags": [],
            "created_at": now,
            "updated_at": now,
        }
        for i in range(5)
    ]
    await db.execute(insert(CustomerProfile), profiles)
    await db.execute(
        insert(CustomerIdentity),
        [
            {
                "id": new_id(),
                "brand_id": brand_id,
                "profile_id": p["id"],
                "kind": "email",
                "value": f"legacy{i}@example.org",
                "source": "import",
                "created_at": now,
            }
            for i, p in enumerate(profiles)
        ],
    )
    await db.commit()
    assert "Legacy Person 3" in await _raw(db, "crm_profile")

    def stop(_table: str, _count: int) -> None:
        raise Interrupted

    sessions = services_of(app).sessions
    with pytest.raises(Interrupted):
        await backfill.seal_existing(sessions, batch=2, progress=stop, tables=["crm_identity"])
    pending = {w.table: w.pending for w in await backfill.pending(sessions)}
    assert pending["crm_identity"] == 3  # the first batch of two stayed sealed
    assert pending["crm_profile"] == 5

    done = await backfill.seal_existing(sessions, batch=2)
    assert done["crm_identity"] == 3 and done["crm_profile"] == 5
    assert (await backfill.seal_existing(sessions, batch=2))["crm_profile"] == 0

    raw = await _raw(db, "crm_profile") + await _raw(db, "crm_identity")
    assert "Legacy Person" not in raw and "legacy3@example.org" not in raw
    identity = await crm.find_identity(
        db, brand_id=brand_id, identifier=normalise(IdentityKind.EMAIL, "Legacy3@example.org")
    )
    assert identity is not None and identity.value == "legacy3@example.org"
    profile = await crm.get(db, customer_id=identity.profile_id)
    assert profile is not None and profile.display_name == "Legacy Person 3"
    assert profile.sealed_for == f"customer:{profile.id}"


async def test_rotating_the_master_key_rewraps_every_data_key(
    db: AsyncSession, settings: Settings
) -> None:
    token = await keys.encrypt_for(db, settings, subject=ALICE, value="kept")
    await db.commit()
    before = keys.keyring(settings)
    assert settings.master_key is None  # the generated master.key of the data directory

    keys.rotate_key_file(settings)
    rotating = Settings(**settings.model_dump())
    ring = keys.keyring(rotating)
    assert ring.master_id != before.master_id
    # Mid-rotation, data keys wrapped by the previous master key still open.
    assert await keys.decrypt_for(db, rotating, subject=ALICE, token=token) == "kept"
    await db.rollback()
    assert await keys.wrapped_by_others(db, ring) >= 1
    while await keys.rewrap(db, ring, batch=1):
        await db.commit()
    await db.commit()
    assert await keys.wrapped_by_others(db, ring) == 0
    masters = set((await db.execute(select(DataKey.master_id))).scalars())
    assert masters == {ring.master_id}

    keys.forget_previous_key_file(rotating)
    after = Settings(**settings.model_dump())
    assert after.resolved_previous_master_keys == []
    assert await keys.decrypt_for(db, after, subject=ALICE, token=token) == "kept"
    await db.rollback()
    with pytest.raises(CryptoError):
        await before.decrypt(db, ALICE, token)  # the old master key opens nothing now


async def test_a_restored_backup_gets_its_erasures_reapplied(
    app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    token = await keys.encrypt_for(db, settings, subject=ALICE, value="gone for good")
    await db.commit()
    backup = (await db.execute(select(DataKey).where(DataKey.subject == ALICE))).scalar_one()
    saved = {c: getattr(backup, c) for c in ("subject", "key_id", "master_id", "wrapped")}
    await keys.shred(db, subject=ALICE, request_id=None)
    await db.commit()
    keys.log_erasure(settings, [ALICE], None)

    # An older backup is restored: the key is back, the tombstone is not.
    await db.execute(delete(Tombstone))
    db.add(DataKey(**saved, created_at=utcnow()))
    await db.commit()
    assert await keys.decrypt_for(db, settings, subject=ALICE, token=token) == "gone for good"
    await db.rollback()

    # The next start of the server destroys it again, from the erasure log.
    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        pass
    assert await keys.decrypt_for(db, settings, subject=ALICE, token=token) is None
    assert await keys.is_erased(db, subject=ALICE)
    assert is_token(token)


async def test_a_message_on_a_conversation_stored_before_sealing_is_sealed_and_readable(
    app: FastAPI, db: AsyncSession, brand: Brand
) -> None:
    now, conversation_id, slug = utcnow(), new_id(), brand.slug
    await db.execute(
        insert(Conversation),
        [
            {
                "id": conversation_id,
                "brand_id": brand.id,
                "brand_slug": slug,
                "channel": "email",
                "state": "bot",
                "customer_name": "Legacy Larkspur",
                "customer_email": "larkspur@example.org",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    await db.commit()
    conversation = await conversations.get_or_raise(db, conversation_id=conversation_id)
    await conversations.post_customer_message(
        db, bus=EventBus(), conversation=conversation, body="still there?", channel=Channel.EMAIL
    )
    await db.commit()
    raw = await _raw(db, "conversation_message") + await _raw(db, "conversation")
    assert "still there?" not in raw and "Legacy Larkspur" in raw
    assert conversation.sealed_for is None  # the old row is left to encrypt-existing

    await backfill.seal_existing(services_of(app).sessions, tables=["conversation"])
    db.expire_all()
    found = await conversations.list_for_customer(
        db, brand_slug=slug, emails=["Larkspur@example.org"]
    )
    assert [c.customer_name for c in found] == ["Legacy Larkspur"]
    assert found[0].sealed_for == f"conversation:{conversation_id}"
    messages = (await db.execute(select(Message))).scalars()
    assert [m.body for m in messages] == ["still there?"]
    assert "Legacy Larkspur" not in await _raw(db, "conversation")


async def test_an_email_only_booking_stored_before_sealing_gets_a_blind_reference(
    app: FastAPI, db: AsyncSession
) -> None:
    await build_shop(db)
    advice = (
        await db.execute(select(AppointmentType).where(AppointmentType.slug == "advice"))
    ).scalar_one()
    start, booking_id = utcnow() + timedelta(days=3), new_id()
    await db.execute(
        insert(Appointment),
        [
            {
                "id": booking_id,
                "brand_slug": "aurora-motors",
                "type_id": advice.id,
                "status": "confirmed",
                "start_at": start,
                "end_at": start + timedelta(minutes=30),
                "customer_ref": "email:wren.old@example.org",
                "customer_email": "wren.old@example.org",
                "customer_name": "Wren Oldbooking",
                "ics_uid": f"{booking_id}@test",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        ],
    )
    await db.commit()
    await backfill.seal_existing(services_of(app).sessions, tables=["scheduling_appointment"])
    raw = await _raw(db, "scheduling_appointment")
    assert "wren.old" not in raw and "Wren Oldbooking" not in raw
    found = await scheduling.list_for_customer(db, customer_ref="email:Wren.Old@example.org")
    assert [(a.id, a.customer_name) for a in found] == [(booking_id, "Wren Oldbooking")]
