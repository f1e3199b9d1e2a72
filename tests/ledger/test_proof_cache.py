"""Inclusion proofs from a node's memory: every proof verifies offline against the tree head
it carries, also on a node that has not seen the newest appends of another node; the head
is read again once older than the bound; a writing transaction's view is never kept; the
memory is bounded; erasure leaves nothing personal behind in the cache."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from tests.ledger.test_erasure import CUSTOMER, _run_request
from vitrina.app import create_app
from vitrina.brands.models import Brand
from vitrina.core.config import Settings
from vitrina.core.db import transaction
from vitrina.core.errors import NotFound
from vitrina.ledger import merkle, verify
from vitrina.ledger import service as ledger
from vitrina.ledger.proof_cache import ProofCache
from vitrina.services import services_of


@asynccontextmanager
async def node(settings: Settings, **changes: Any) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """Another app on the same database: a node of a cluster (it shares no memory with the
    others' caches, only the database)."""
    app = create_app(settings.model_copy(update=changes))
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield app, client


async def _append(app: FastAPI, slug: str, count: int, first: int = 0) -> None:
    async with transaction(services_of(app).sessions) as tx:  # type: ignore[arg-type]
        for i in range(count):
            await ledger.append(tx, brand=slug, kind="twin.transferred", facts={"n": first + i})


def _root_of_prefix(export: bytes, size: int) -> str:
    lines = export.splitlines()[1 : 1 + size]
    return merkle.root_of_leaves([merkle.leaf_hash(line) for line in lines])


def _statements(app: FastAPI) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(services_of(app).engine.sync_engine, "before_cursor_execute", count)
    return seen


async def test_cached_proofs_verify_and_a_warm_node_reads_nothing(
    app: FastAPI, client: AsyncClient, db: AsyncSession, brand: Brand
) -> None:
    await _append(app, brand.slug, 20)
    uncached = [await ledger.inclusion_proof(db, brand=brand.slug, seq=s) for s in range(21)]
    await db.commit()
    statements = _statements(app)
    for seq in range(21):
        proof = (await client.get(f"/api/ledger/brands/{brand.slug}/proofs/{seq}")).json()
        assert verify.verify_proof(proof) is None
        assert (proof["entry"], proof["path"], proof["tree_size"]) == (
            uncached[seq]["entry"],
            uncached[seq]["path"],
            21,
        )
        assert proof["tree_head"]["root"] == uncached[seq]["tree_head"]["root"]
    assert statements, "a cold node reads the head, the lines and the nodes"
    statements.clear()
    for seq in (20, 0, 7, 13):
        proof = (await client.get(f"/api/ledger/brands/{brand.slug}/proofs/{seq}")).json()
        assert verify.verify_proof(proof) is None
    assert statements == []  # a warm node answers from memory
    # beyond the end: the node reads the head again before answering 404
    missing = await client.get(f"/api/ledger/brands/{brand.slug}/proofs/21")
    assert missing.status_code == 404
    assert missing.json()["code"] == "ledger_entry_not_found"
    assert statements


async def test_a_node_behind_the_newest_appends_still_proves(
    settings: Settings, brand: Brand
) -> None:
    # Two nodes on one database; node A keeps a head up to a minute, the longest allowed.
    async with (
        node(settings, ledger_proof_head_max_age_s=60) as (node_a, a),
        node(settings) as (node_b, b),
    ):
        await _append(node_a, brand.slug, 6)
        first = (await a.get(f"/api/ledger/brands/{brand.slug}/proofs/3")).json()
        assert first["tree_size"] == 7 and verify.verify_proof(first) is None

        await _append(node_b, brand.slug, 9, first=6)  # appended and committed on node B
        on_b = (await b.get(f"/api/ledger/brands/{brand.slug}/proofs/3")).json()
        assert on_b["tree_size"] == 16 and verify.verify_proof(on_b) is None

        # Node A has not read the new head: its proof is against the head it holds, signed
        # for size 7, and verifies against it.
        behind = (await a.get(f"/api/ledger/brands/{brand.slug}/proofs/3")).json()
        assert behind["tree_size"] == 7 and verify.verify_proof(behind) is None
        assert behind["path"] == first["path"]
        # that head is a prefix of the ledger as it now is
        export = (await b.get(f"/api/ledger/brands/{brand.slug}/export")).content
        assert behind["tree_head"]["root"] == _root_of_prefix(export, 7)
        assert on_b["tree_head"]["root"] == _root_of_prefix(export, 16)

        # An entry beyond node A's head: it reads the head again, no 404.
        new = (await a.get(f"/api/ledger/brands/{brand.slug}/proofs/12")).json()
        assert new["tree_size"] == 16 and verify.verify_proof(new) is None
        again = (await a.get(f"/api/ledger/brands/{brand.slug}/proofs/3")).json()
        assert again["tree_size"] == 16 and verify.verify_proof(again) is None
        assert again["path"] == on_b["path"]


async def test_the_head_is_read_again_once_older_than_the_bound(
    app: FastAPI, db: AsyncSession, brand: Brand
) -> None:
    now = [100.0]
    cache = ProofCache(head_max_age_s=5.0, clock=lambda: now[0])
    await _append(app, brand.slug, 4)
    assert (await cache.inclusion_proof(db, brand=brand.slug, seq=2))["tree_size"] == 5
    await db.commit()
    await _append(app, brand.slug, 3, first=4)  # another session: this cache does not know

    now[0] = 104.9
    kept = await cache.inclusion_proof(db, brand=brand.slug, seq=2)
    assert kept["tree_size"] == 5 and verify.verify_proof(kept) is None
    now[0] = 105.2  # older than the bound
    fresh = await cache.inclusion_proof(db, brand=brand.slug, seq=2)
    assert fresh["tree_size"] == 8 and verify.verify_proof(fresh) is None
    assert fresh["tree_head"]["root"] != kept["tree_head"]["root"]

    # a bound of 0: every proof reads the head
    always = ProofCache(head_max_age_s=0.0, clock=lambda: now[0])
    assert (await always.inclusion_proof(db, brand=brand.slug, seq=1))["tree_size"] == 8
    await db.commit()
    await _append(app, brand.slug, 1, first=7)
    now[0] += 0.001
    assert (await always.inclusion_proof(db, brand=brand.slug, seq=1))["tree_size"] == 9


async def test_a_writing_transaction_is_never_kept(
    app: FastAPI, db: AsyncSession, brand: Brand
) -> None:
    cache = ProofCache(head_max_age_s=60)
    await _append(app, brand.slug, 3)
    assert (await cache.inclusion_proof(db, brand=brand.slug, seq=1))["tree_size"] == 4
    await db.commit()

    sessions = services_of(app).sessions  # type: ignore[arg-type]
    async with sessions() as tx:
        ref = await ledger.append(tx, brand=brand.slug, kind="twin.transferred", facts={"n": 9})
        # the transaction sees its own entry, through its own view
        own = await cache.inclusion_proof(tx, brand=brand.slug, seq=ref.seq)
        assert own["tree_size"] == 5 and verify.verify_proof(own) is None
        await tx.rollback()

    # the rolled-back head was not kept: proofs stay against the committed tree
    proof = await cache.inclusion_proof(db, brand=brand.slug, seq=1)
    assert proof["tree_size"] == 4 and verify.verify_proof(proof) is None
    with pytest.raises(NotFound):
        await cache.inclusion_proof(db, brand=brand.slug, seq=4)


async def test_the_memory_is_bounded(
    app: FastAPI, db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    cache = ProofCache(max_nodes=8, max_entries=3, max_brands=1)
    await _append(app, brand.slug, 30)
    await _append(app, other_brand.slug, 10)
    for round_ in range(2):
        for slug, size in ((brand.slug, 31), (other_brand.slug, 11)):
            for seq in range(0, size, 1 + round_):
                proof = await cache.inclusion_proof(db, brand=slug, seq=seq)
                assert verify.verify_proof(proof) is None
                heads, nodes, lines = cache.sizes
                assert heads <= 1 and nodes <= 8 and lines <= 3
    with pytest.raises(ValueError, match="room for one"):
        ProofCache(max_nodes=0)


async def test_erasure_leaves_nothing_personal_in_the_cache(
    app: FastAPI, client: AsyncClient, db: AsyncSession, brand: Brand
) -> None:
    paid = await ledger.append(
        db,
        brand=brand.slug,
        kind="order.paid",
        facts={"order": "ord_1"},
        subjects={"owner": CUSTOMER},
    )
    await db.commit()
    url = f"/api/ledger/brands/{brand.slug}/proofs/{paid.seq}"
    before = (await client.get(url)).json()
    assert verify.verify_proof(before) is None
    await _run_request(app, db, brand, "erasure")
    after = (await client.get(url)).json()
    # the chain holds only a commitment: what the node kept is what the database still holds
    fresh = await ledger.inclusion_proof(db, brand=brand.slug, seq=paid.seq)
    assert after["entry"] == before["entry"] == fresh["entry"]
    assert after["path"] == fresh["path"] and verify.verify_proof(after) is None
    assert CUSTOMER not in str(after)
    assert hashlib.sha256(after["entry"].encode()).hexdigest() == paid.hash
