"""Consent changes reach the brand's ledger, as commitments to the visitor."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import Guest, make_guest  # noqa: F401 - the fixture
from vitrina.brands.models import Brand
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service as ledger

SLUG = "aurora-motors"
MakeGuest = Callable[[], Awaitable[Guest]]


async def test_each_consent_change_is_an_entry(
    make_guest: MakeGuest,  # noqa: F811
    client: AsyncClient,
    db: AsyncSession,
    brand: Brand,
) -> None:
    brand_id = brand.id
    guest = await make_guest()
    for granted in (True, False):
        answer = await guest.http.put(
            f"/api/privacy/brands/{SLUG}/consents",
            json={"choices": {"marketing": granted}, "channel": "privacy_centre"},
        )
        assert answer.status_code == 200, answer.text
        for _ in range(100):
            mine = await ledger.subject_entries(db, brand=SLUG, subject=guest.subject)
            await db.rollback()
            if len(mine) == (1 if granted else 2):
                break
            await asyncio.sleep(0.05)
    assert [(e.kind, e.facts) for e in mine] == [
        ("consent.changed", {"purpose": "marketing", "granted": True}),
        ("consent.changed", {"purpose": "marketing", "granted": False}),
    ]
    salt = await ledger.subject_salt(db, brand_id=brand_id, subject=guest.subject)
    assert salt is not None
    entry = json.loads(mine[0].line)
    assert entry["commitments"]["subject"] == fmt.commitment(
        salt, seq=entry["seq"], role="subject", subject=guest.subject
    )
    assert guest.session_id not in (await client.get(f"/api/ledger/brands/{SLUG}/export")).text
