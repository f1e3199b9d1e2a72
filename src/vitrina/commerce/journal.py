"""Every money, ownership and signature change of commerce goes to the ledger.

`record` runs inside the caller's transaction: the ledger entry and the change commit
together or not at all. Facts are non-personal scalars (ids, amounts, hashes); the person
is named only as a subject, which the ledger keeps apart so that erasure spares the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.ledger import service as ledger

Fact = str | int | bool | None


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int | None
    hash: str | None


async def record(
    db: AsyncSession,
    *,
    brand: str,
    kind: str,
    facts: dict[str, Fact],
    subjects: dict[str, str | None] | None = None,
) -> Entry:
    """Append one entry (`kind` such as "order.paid") for `brand`; returns its position.
    `subjects` names the people concerned by role ({"owner": customer id})."""
    people = {role: who for role, who in (subjects or {}).items() if who}
    ref = await ledger.append(db, brand=brand, kind=kind, facts=facts, subjects=people or None)
    return Entry(ref.seq, ref.hash)


def public_actor(actor: str) -> str:
    """What the ledger may say of who acted: staff and systems by id, a customer or a
    guest only by their kind (the person is a subject, kept apart)."""
    kind = actor.split(":", 1)[0]
    return kind if kind in ("customer", "guest") else actor
