"""Key rotation, the signed tree heads published to the anchor file."""

from __future__ import annotations

import asyncio
import io
import json

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.app import create_app
from vitrina.brands.demo import ensure_demo_brand
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service as ledger
from vitrina.ledger import verify
from vitrina.ledger.anchor import FileAnchor, anchor_once
from vitrina.ledger.models import LedgerKey
from vitrina.services import services_of


async def test_rotation_announces_the_next_key_and_retires_the_old(
    client: AsyncClient, db: AsyncSession, brand: Brand
) -> None:
    await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "o1"})
    rotation = await ledger.rotate_key(db, brand=brand.slug)
    after = await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "o2"})
    await db.commit()
    keys = (await client.get(f"/api/ledger/brands/{brand.slug}/keys")).json()
    assert [k["from_seq"] for k in keys] == [0, rotation.seq]
    old, new = keys[0]["key"], keys[1]["key"]
    lines = [
        json.loads(x) for x in await ledger.entry_lines(db, brand_id=brand.id, start=0, stop=9)
    ]
    announced = lines[rotation.seq]
    assert announced["key"] == old and announced["facts"]["key"] == new
    assert fmt.verify_entry_signature(fmt.load_public(keys[0]["public_key"]), announced)
    assert lines[after.seq]["key"] == new
    head = (await client.get(f"/api/ledger/brands/{brand.slug}/tree-head")).json()
    assert head["key"] == new and head["size"] == after.seq + 1
    retired = await db.get(LedgerKey, old)
    assert retired is not None and retired.private_key == "" and retired.retired_at is not None
    data = (await client.get(f"/api/ledger/brands/{brand.slug}/export")).content
    report = verify.verify_lines(io.BytesIO(data))
    assert report.ok and report.keys == [old, new]


async def test_anchor_publishes_grown_ledgers_once(
    app: object, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    services = services_of(app)  # type: ignore[arg-type]
    anchor = FileAnchor(services.settings.data_dir / "ledger-anchors.jsonl")
    last: dict[str, int] = {}
    await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "o1"})
    await db.commit()
    assert await anchor_once(services.sessions, anchor, last) == 1
    assert await anchor_once(services.sessions, anchor, last) == 0  # nothing new
    await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "o2"})
    await ledger.append(db, brand=other_brand.slug, kind="order.paid", facts={"order": "o3"})
    await db.commit()
    assert await anchor_once(services.sessions, anchor, last) == 2
    published = anchor.published()
    assert sorted((p["brand"], p["tree_head"]["size"]) for p in published) == sorted(
        [(brand.slug, 2), (brand.slug, 3), (other_brand.slug, 2)]
    )
    keys = await ledger.public_keys(db, brand_id=brand.id)
    public = fmt.load_public(keys[0]["public_key"])
    ours = [p["tree_head"] for p in published if p["brand"] == brand.slug]
    assert all(fmt.verify_tree_head_signature(public, head) for head in ours)
    # what was anchored is what the brand's tree head says today
    assert (await ledger.tree_head(db, brand=brand.slug))["root"] == ours[-1]["root"]


async def test_the_anchor_job_runs_when_asked(settings: Settings) -> None:
    assert settings.resolved_anchor_interval_s == 0  # off in tests unless asked
    assert Settings(environment="development").resolved_anchor_interval_s == 3600
    asked = settings.model_copy(update={"ledger_anchor_interval_s": 0.05})
    app = create_app(asked)
    async with app.router.lifespan_context(app):
        services = services_of(app)
        async with services.sessions() as db:
            made, _ = await ensure_demo_brand(db)
            await ledger.append(db, brand=made.slug, kind="order.paid", facts={"order": "o1"})
            await db.commit()
        path = asked.data_dir / "ledger-anchors.jsonl"
        for _ in range(100):
            if path.exists() and path.read_bytes().endswith(b"\n"):
                break
            await asyncio.sleep(0.05)
        published = FileAnchor(path).published()
    assert published and published[-1]["brand"] == "aurora-motors"
    assert published[-1]["tree_head"]["size"] == 2
