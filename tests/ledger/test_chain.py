"""Appending entries: one signed chain per brand, Merkle proofs, commitments to people."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.core.errors import AppError, NotFound
from vitrina.ledger import canonical as fmt
from vitrina.ledger import merkle
from vitrina.ledger import service as ledger


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH written straight from the definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


async def test_entries_chain_and_sign(db: AsyncSession, brand: Brand) -> None:
    first = await ledger.append(
        db,
        brand=brand.slug,
        kind="order.paid",
        facts={"order": "ord_123", "amount": "1200.00", "currency": "EUR"},
        subjects={"owner": "c0ffee-customer"},
    )
    second = await ledger.append(
        db, brand=brand.slug, kind="order.shipped", facts={"order": "ord_123"}
    )
    await db.commit()
    assert (first.seq, second.seq) == (1, 2)  # 0 is the genesis entry announcing the key
    lines = await ledger.entry_lines(db, brand_id=brand.id, start=0, stop=3)
    entries = [json.loads(line) for line in lines]
    assert entries[0]["kind"] == "ledger.key" and entries[0]["prev"] == fmt.GENESIS_PREV
    public = fmt.load_public(entries[0]["facts"]["public_key"])
    for i, entry in enumerate(entries):
        assert entry["seq"] == i
        assert fmt.verify_entry_signature(public, entry)
        assert fmt.canonical(entry) == lines[i].encode()
        if i:
            assert entry["prev"] == fmt.entry_hash(lines[i - 1].encode())
    assert second.hash == fmt.entry_hash(lines[2].encode())
    assert entries[1]["facts"] == {"order": "ord_123", "amount": "1200.00", "currency": "EUR"}
    # the person is only a commitment: no identifier in the line
    assert "c0ffee" not in lines[1] and set(entries[1]["commitments"]) == {"owner"}


async def test_inclusion_proofs_verify_against_the_signed_head(
    db: AsyncSession, brand: Brand
) -> None:
    for i in range(12):
        await ledger.append(db, brand=brand.slug, kind="twin.transferred", facts={"n": i})
    await db.commit()
    lines = [
        line.encode() for line in await ledger.entry_lines(db, brand_id=brand.id, start=0, stop=99)
    ]
    leaves = [merkle.leaf_hash(line) for line in lines]
    head = await ledger.tree_head(db, brand=brand.slug)
    assert head["size"] == 13 and head["root"] == _reference_root(leaves).hex()
    for seq in range(13):
        proof = await ledger.inclusion_proof(db, brand=brand.slug, seq=seq)
        assert proof["entry"].encode() == lines[seq]
        key = fmt.load_public(proof["keys"][0]["public_key"])
        assert fmt.verify_tree_head_signature(key, proof["tree_head"])
        assert merkle.root_from_path(seq, 13, leaves[seq], proof["path"]) == head["root"]
        assert merkle.root_from_path(seq, 13, leaves[(seq + 1) % 13], proof["path"]) != head["root"]
    with pytest.raises(NotFound):
        await ledger.inclusion_proof(db, brand=brand.slug, seq=13)


def test_merkle_roots_match_the_definition() -> None:
    for n in range(1, 40):
        leaves = [merkle.leaf_hash(str(i).encode()) for i in range(n)]
        assert merkle.root_of_leaves(leaves) == _reference_root(leaves).hex()


@pytest.mark.parametrize(
    "facts",
    [{"amount": 12.5}, {"n": 2**60}, {"Bad Key": "x"}, {"nested": {"a": 1}}, {"x": "y" * 1001}],
)
async def test_facts_must_be_canonical_scalars(
    db: AsyncSession, brand: Brand, facts: dict[str, object]
) -> None:
    with pytest.raises(AppError) as caught:
        await ledger.append(db, brand=brand.slug, kind="order.paid", facts=facts)  # type: ignore[arg-type]
    assert caught.value.code == "ledger_invalid_entry"


async def test_subject_entries_and_commitments(
    db: AsyncSession, brand: Brand, other_brand: Brand
) -> None:
    mine = await ledger.append(
        db, brand=brand.slug, kind="twin.minted", facts={"twin": "t1"}, subjects={"owner": "cust-1"}
    )
    await ledger.append(
        db, brand=brand.slug, kind="twin.minted", facts={"twin": "t2"}, subjects={"owner": "cust-2"}
    )
    both = await ledger.append(
        db,
        brand=brand.slug,
        kind="twin.transferred",
        facts={"twin": "t1"},
        subjects={"from": "cust-1", "to": "customer:cust-1"},
    )
    await ledger.append(
        db, brand=other_brand.slug, kind="twin.minted", subjects={"owner": "cust-1"}
    )
    await db.commit()
    found = await ledger.subject_entries(db, brand=brand.slug, subject="cust-1")
    assert [e.seq for e in found] == [mine.seq, both.seq]
    assert found[1].roles == ("from", "to")
    salt = await ledger.subject_salt(db, brand_id=brand.id, subject="customer:cust-1")
    assert salt is not None
    entry = json.loads(found[0].line)
    assert entry["commitments"]["owner"] == fmt.commitment(
        salt, seq=mine.seq, role="owner", subject="customer:cust-1"
    )
    # the same person gets unrelated commitments in two entries
    second = json.loads(found[1].line)["commitments"]
    assert len({entry["commitments"]["owner"], second["from"], second["to"]}) == 3


async def test_a_rolled_back_savepoint_takes_only_its_own_entries(
    db: AsyncSession, brand: Brand
) -> None:
    before = await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "a"})

    async def fails_inside_a_savepoint() -> None:
        async with db.begin_nested():
            await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "b"})
            await ledger.entry_lines(db, brand_id=brand.id, start=0, stop=9)  # writes a and b
            raise RuntimeError("the booking failed")

    with pytest.raises(RuntimeError):
        await fails_inside_a_savepoint()
    async with db.begin_nested():
        kept = await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "c"})
    after = await ledger.append(db, brand=brand.slug, kind="order.paid", facts={"order": "d"})
    await db.commit()
    assert (before.seq, kept.seq, after.seq) == (1, 2, 3)
    lines = await ledger.entry_lines(db, brand_id=brand.id, start=0, stop=9)
    assert [json.loads(x)["facts"].get("order") for x in lines] == [None, "a", "c", "d"]
    for i in range(1, 4):
        assert json.loads(lines[i])["prev"] == fmt.entry_hash(lines[i - 1].encode())


async def test_a_rolled_back_transaction_leaves_no_trace(db: AsyncSession, brand: Brand) -> None:
    slug = brand.slug
    await ledger.append(db, brand=slug, kind="order.paid", facts={"order": "a"})
    await db.rollback()
    ref = await ledger.append(db, brand=slug, kind="order.paid", facts={"order": "b"})
    await db.commit()
    assert ref.seq == 1
    assert (await ledger.tree_head(db, brand=slug))["size"] == 2
