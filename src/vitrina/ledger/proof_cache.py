"""Inclusion proofs served from a node's memory.

Everything a proof reads, except the tree head, is immutable once committed: entry
`seq`'s line (the ledger is append-only; `seq` is also its leaf index) and the hash of
each stored Merkle node (level, idx), a complete subtree that no later append changes.
So a node keeps what it has read of them, in bounded LRU maps, and never needs to check
them again. Only the tree head (size, root, key) moves: a node keeps the last head it
read per brand, signed, for at most `head_max_age_s`, and answers proofs against it.
A proof against an older signed tree head is still a valid RFC 6962 proof: it verifies
against the head it carries, which the brand signed and which is a prefix of every later
tree.

Correct on several nodes: each node has its own cache (nothing is shared but the
database), and a node that has not seen the newest appends answers against the head it
holds, whose nodes are all committed. It reads the head again when it is older than the
bound, and at once for an entry beyond it (never a 404 for an entry another node has
appended). What a transaction that has itself written to the brand's ledger reads of it
may still roll back, so it never goes into the cache: when such a transaction needs a new
head, it gets `service.inclusion_proof`, through its own view, and nothing is kept. Nothing personal is kept: entries hold only
commitments, whose salts stay off-chain (`personal_data.py`), and erasure changes no
byte of the chain.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.ledger import merkle, service

# A head read from the database is used for at most this long (seconds).
HEAD_MAX_AGE_S = 1.0
# About 270 bytes each (key, hash and the LRU's links, measured): 100,000 nodes ~ 27 MB.
MAX_NODES = 100_000
# About 640 bytes each (a line is 300-500 bytes): 10,000 lines ~ 6 MB.
MAX_ENTRIES = 10_000
MAX_BRANDS = 1_000


@dataclass(frozen=True, slots=True)
class _Head:
    read_at: float
    state: service.HeadState
    tree_head: dict[str, Any]
    keys: list[dict[str, Any]]


class ProofCache:
    """One per node (the composition root makes it); see the module's docstring."""

    def __init__(
        self,
        *,
        head_max_age_s: float = HEAD_MAX_AGE_S,
        max_nodes: int = MAX_NODES,
        max_entries: int = MAX_ENTRIES,
        max_brands: int = MAX_BRANDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if head_max_age_s < 0 or min(max_nodes, max_entries, max_brands) < 1:
            raise ValueError("a proof cache needs a head age >= 0 and room for one item")
        self.head_max_age_s = head_max_age_s
        self.max_nodes, self.max_entries, self.max_brands = max_nodes, max_entries, max_brands
        self._clock = clock
        self._heads: OrderedDict[str, _Head] = OrderedDict()
        self._nodes: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lines: OrderedDict[tuple[str, int], str] = OrderedDict()

    @property
    def sizes(self) -> tuple[int, int, int]:
        """How many heads, nodes and entry lines are kept."""
        return len(self._heads), len(self._nodes), len(self._lines)

    def clear(self) -> None:
        self._heads.clear()
        self._nodes.clear()
        self._lines.clear()

    async def inclusion_proof(self, db: AsyncSession, *, brand: str, seq: int) -> dict[str, Any]:
        """The same document as `service.inclusion_proof`, against the brand's head as this
        node last read it (at most `head_max_age_s` ago, or newer)."""
        if seq < 0:
            raise service.no_entry(brand, seq)
        head = self._heads.get(brand)
        if (
            head is None
            or seq >= head.state.size
            or self._clock() - head.read_at > self.head_max_age_s
        ):
            read_at = self._clock()
            state = await service.head_by_slug(db, brand)
            if service.holds_head(db, state.brand_id):
                # This transaction wrote to the ledger: its view may never be committed.
                return await service.inclusion_proof(db, brand=brand, seq=seq)
            head = _Head(
                read_at,
                state,
                await service.sign_head(db, state),
                await service.public_keys(db, brand_id=state.brand_id, current=state.key_id),
            )
            self._keep(self._heads, brand, head, self.max_brands)
            if seq >= state.size:
                raise service.no_entry(brand, seq)
        else:
            self._heads.move_to_end(brand)
        state = head.state
        brand_id, size = state.brand_id, state.size
        nodes: dict[merkle.Node, bytes] = {}
        missing: list[merkle.Node] = []
        for node in merkle.nodes_for_proof(seq, size):
            key = (brand_id, *node)
            value = self._nodes.get(key)
            if value is None:
                missing.append(node)
            else:
                self._nodes.move_to_end(key)
                nodes[node] = value
        line = self._lines.get((brand_id, seq))
        if line is not None:
            self._lines.move_to_end((brand_id, seq))
        if missing or line is None:
            read_line, found = await service.proof_rows(
                db, brand_id=brand_id, seq=None if line is not None else seq, nodes=missing
            )
            if len(found) < len(missing) or (line is None and read_line is None):
                # This session's snapshot predates the head this node holds: answer from
                # its own view, as without a cache.
                return await service.inclusion_proof(db, brand=brand, seq=seq)
            for node, value in found.items():
                self._keep(self._nodes, (brand_id, *node), value, self.max_nodes)
            nodes.update(found)
            if line is None:
                line = read_line or ""
                self._keep(self._lines, (brand_id, seq), line, self.max_entries)
        return service.proof_document(
            state,
            seq=seq,
            line=line,
            path=merkle.inclusion_path(seq, size, nodes),
            tree_head=dict(head.tree_head),
            keys=[dict(k) for k in head.keys],
        )

    @staticmethod
    def _keep(store: OrderedDict[Any, Any], key: Any, value: Any, limit: int) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > limit:
            store.popitem(last=False)
