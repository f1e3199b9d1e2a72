"""The ledger's functions: append an entry, prove one, list a person's, sign a tree head.

```python
from vitrina.ledger import service as ledger

ref = await ledger.append(db, brand="aurora", kind="order.paid",
                          facts={"order": "ord_123", "amount": "1200.00", "currency": "EUR"},
                          subjects={"owner": crm_profile_id})
proof = await ledger.inclusion_proof(db, brand="aurora", seq=ref.seq)
mine = await ledger.subject_entries(db, brand="aurora", subject=crm_profile_id)
```

`append` runs in the caller's transaction and flushes, never commits. A brand's entries
form one chain: each append first locks the brand's head row (an UPDATE of it, which on
PostgreSQL holds the row until the transaction ends, and on SQLite takes the write lock),
so concurrent appends queue and none forks or leaves a gap; the entry's primary key
(brand, seq) refuses a fork even if that were bypassed. docs/ledger.md has the format.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, and_, insert, select, tuple_, update
from sqlalchemy import event as sa_event
from sqlalchemy import literal as sa_literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.core.db import utcnow
from vitrina.core.errors import AppError, Conflict, NotFound
from vitrina.ledger import canonical as fmt
from vitrina.ledger import merkle
from vitrina.ledger.errors import LedgerErrorCode
from vitrina.ledger.models import (
    LedgerEntry,
    LedgerHead,
    LedgerKey,
    LedgerNode,
    LedgerSalt,
    LedgerSubjectLink,
)
from vitrina.privacy import keys as privacy_keys
from vitrina.privacy import subjects as privacy_subjects

Scalar = str | int | bool | None

_HEAD = cast(Table, LedgerHead.__table__)
_ENTRY = cast(Table, LedgerEntry.__table__)
_NODE = cast(Table, LedgerNode.__table__)
_LINK = cast(Table, LedgerSubjectLink.__table__)
_TXN_INFO = "vitrina.ledger.txn"
MAX_FACTS = 32
MAX_TEXT = 1000
MAX_SUBJECTS = 8

# Unsealed signing keys, by key id: not personal data, and opening one costs a key unwrap.
_PRIVATE: dict[str, Ed25519PrivateKey] = {}


@dataclass(frozen=True, slots=True)
class LedgerRef:
    seq: int
    hash: str  # hex SHA-256 of the entry's line; the next entry's `prev`
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    """An entry that commits to a person, as the person's view and export show it."""

    seq: int
    kind: str
    at: datetime
    hash: str
    roles: tuple[str, ...]
    facts: dict[str, Any]
    line: str


@dataclass(slots=True)
class _Head:
    brand_id: str
    size: int
    last_hash: str
    frontier: list[str | None]
    key_id: str


# --- validation -----------------------------------------------------------------------------


def _invalid(detail: str) -> AppError:
    return AppError(detail, code=LedgerErrorCode.INVALID_ENTRY, status=422)


def check_kind(kind: str) -> str:
    if not isinstance(kind, str) or not fmt.KIND_PATTERN.match(kind):
        raise _invalid(
            "An entry's kind is dotted lower-case words, e.g. 'order.paid' (64 characters)."
        )
    if kind.startswith("ledger."):
        raise _invalid("Kinds starting with 'ledger.' are the ledger's own.")
    return kind


def check_facts(facts: Mapping[str, Any]) -> dict[str, Scalar]:
    if len(facts) > MAX_FACTS:
        raise _invalid(f"At most {MAX_FACTS} facts per entry.")
    out: dict[str, Scalar] = {}
    for name, value in facts.items():
        if not isinstance(name, str) or not fmt.NAME_PATTERN.match(name):
            raise _invalid(f"Fact names are lower-case ASCII words; {str(name)[:40]!r} is not.")
        try:
            fmt.check_scalar(value)
        except fmt.FormatError as exc:
            raise _invalid(f"Fact {name!r}: {exc}.") from None
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise _invalid(f"Fact {name!r} is longer than {MAX_TEXT} characters.")
        out[name] = value
    return out


def subject_of(value: str) -> str:
    """The privacy subject an identifier stands for: a CRM profile id is `customer:<id>`;
    `customer:...` and `guest:...` are taken as they are."""
    if not isinstance(value, str):
        raise _invalid("A subject is a customer id or 'customer:<id>' / 'guest:<id>'.")
    text = value if value.startswith(("customer:", "guest:")) else privacy_subjects.customer(value)
    if not privacy_subjects.is_valid(text):
        raise _invalid("A subject is a customer id or 'customer:<id>' / 'guest:<id>'.")
    return text


# --- per-transaction state ------------------------------------------------------------------


@dataclass(slots=True)
class _Txn:
    """What the ledger holds for one transaction of a session: the heads it has locked,
    brand ids and salts it has read, and the rows it has yet to write.

    Entries, nodes, links and head updates are written in a few multi-row statements when
    the transaction commits (`before_commit`), or before any ledger read in it: an append
    then costs no round trip of its own. A savepoint keeps a copy of this state; rolling it
    back restores the copy (rows drained inside it are written again at commit), so an
    entry appended before a savepoint survives the savepoint's rollback, and one appended
    inside it goes with it.
    """

    brands: dict[str, str] = field(default_factory=dict)
    heads: dict[str, _Head] = field(default_factory=dict)
    salts: dict[str, bytes] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)
    # A copy of the state as each open savepoint began (kept until the session's
    # transaction ends: a released savepoint's copy is simply never used).
    marks: dict[SessionTransaction, _Txn] = field(default_factory=dict)

    def copy(self) -> _Txn:
        return _Txn(
            dict(self.brands),
            {
                k: _Head(h.brand_id, h.size, h.last_hash, list(h.frontier), h.key_id)
                for k, h in self.heads.items()
            },
            dict(self.salts),
            list(self.entries),
            list(self.nodes),
            list(self.links),
            set(self.dirty),
        )

    def restore(self, saved: _Txn) -> None:
        self.brands, self.heads, self.salts = saved.brands, saved.heads, saved.salts
        self.entries, self.nodes, self.links = saved.entries, saved.nodes, saved.links
        self.dirty = saved.dirty

    def reset(self) -> None:
        self.restore(_Txn())
        self.marks.clear()

    def drain(self, session: Session) -> None:
        """Write the pending rows (synchronously: from a session event or `run_sync`)."""
        if self.entries:
            session.execute(insert(_ENTRY), self.entries)
            self.entries = []
        if self.nodes:
            session.execute(insert(_NODE), self.nodes)
            self.nodes = []
        if self.links:
            session.execute(insert(_LINK), self.links)
            self.links = []
        for brand_id in sorted(self.dirty):
            head = self.heads[brand_id]
            session.execute(
                update(_HEAD)
                .where(_HEAD.c.brand_id == brand_id)
                .values(
                    size=head.size,
                    last_hash=head.last_hash,
                    frontier=head.frontier,
                    key_id=head.key_id,
                    updated_at=utcnow(),
                )
            )
        self.dirty = set()


def _txn(db: AsyncSession) -> _Txn:
    session = db.sync_session
    state: _Txn | None = session.info.get(_TXN_INFO)
    if state is not None:
        return state
    state = session.info[_TXN_INFO] = _Txn()

    def before_commit(sess: Session) -> None:
        state.drain(sess)

    def ended(*_args: Any) -> None:
        state.reset()

    def soft_rollback(_sess: Session, previous: SessionTransaction) -> None:
        if not previous.nested:
            state.reset()
            return
        saved = state.marks.pop(previous, None)
        if saved is not None:
            state.restore(saved)

    def created(_sess: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            state.marks[transaction] = state.copy()

    sa_event.listen(session, "before_commit", before_commit)
    sa_event.listen(session, "after_commit", ended)
    sa_event.listen(session, "after_soft_rollback", soft_rollback)
    sa_event.listen(session, "after_transaction_create", created)
    return state


async def _drain(db: AsyncSession) -> None:
    """Write what this transaction appended, before reading the ledger's tables."""
    state: _Txn | None = db.sync_session.info.get(_TXN_INFO)
    if state is not None and (state.entries or state.dirty or state.links or state.nodes):
        await db.run_sync(state.drain)


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


async def _brand(db: AsyncSession, slug: str) -> Brand:
    return await brands.get_by_slug_or_raise(db, slug=slug)


async def _brand_id(db: AsyncSession, slug: str) -> str:
    state = _txn(db)
    known = state.brands.get(slug)
    if known is None:
        known = state.brands[slug] = (await _brand(db, slug)).id
    return known


async def _lock_head(db: AsyncSession, brand_id: str) -> _Head:
    """Lock the brand's head row for the rest of the transaction and read it."""
    state = _txn(db)
    held = state.heads.get(brand_id)
    if held is not None:
        return held
    now = utcnow()
    # Locking and reading in one statement (UPDATE ... RETURNING, on both databases).
    touch = (
        update(_HEAD)
        .where(_HEAD.c.brand_id == brand_id)
        .values(updated_at=now)
        .returning(_HEAD.c.size, _HEAD.c.last_hash, _HEAD.c.frontier, _HEAD.c.key_id)
    )
    row = (await db.execute(touch)).first()
    if row is None:
        make = pg_insert if _dialect(db) == "postgresql" else sqlite_insert
        await db.execute(
            make(_HEAD)
            .values(
                brand_id=brand_id,
                size=0,
                last_hash=fmt.GENESIS_PREV,
                frontier=[],
                key_id="",
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["brand_id"])
        )
        row = (await db.execute(touch)).one()
    head = _Head(brand_id, int(row.size), row.last_hash, list(row.frontier or []), row.key_id)
    state.heads[brand_id] = head
    if head.size == 0:
        await _genesis(db, head)
    return head


# --- keys -----------------------------------------------------------------------------------


def key_subject(brand_id: str) -> str:
    """Whose data key seals a brand's private ledger keys."""
    return f"ledger:{brand_id}"


async def _new_key(
    db: AsyncSession, brand_id: str, first_seq: int
) -> tuple[str, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    public = fmt.public_raw(private)
    kid = fmt.key_id(public)
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    db.add(
        LedgerKey(
            id=kid,
            brand_id=brand_id,
            public_key=fmt.b64(public),
            private_key=fmt.b64(raw),
            first_seq=first_seq,
            created_at=utcnow(),
        )
    )
    await db.flush()
    _PRIVATE[kid] = private
    return kid, private


async def _private_key(db: AsyncSession, kid: str) -> Ed25519PrivateKey:
    cached = _PRIVATE.get(kid)
    if cached is not None:
        return cached
    row = await db.get(LedgerKey, kid)
    if row is None or not row.private_key or row.retired_at is not None:
        raise Conflict(f"The ledger key {kid} cannot sign.", code=LedgerErrorCode.NO_KEY)
    private = Ed25519PrivateKey.from_private_bytes(fmt.unb64(row.private_key))
    _PRIVATE[kid] = private
    return private


# Public keys by brand: they only grow, and each new one becomes the head's key.
_PUBLIC: dict[str, list[dict[str, Any]]] = {}


async def public_keys(
    db: AsyncSession, *, brand_id: str, current: str | None = None
) -> list[dict[str, Any]]:
    """Every key the brand's chain has announced, oldest first. With `current` (the
    head's key id), a cached list that already holds it is used."""
    cached = _PUBLIC.get(brand_id)
    if current is not None and cached and cached[-1]["key"] == current:
        return [dict(k) for k in cached]
    rows = (
        await db.execute(
            select(LedgerKey.id, LedgerKey.public_key, LedgerKey.first_seq)
            .where(LedgerKey.brand_id == brand_id)
            .order_by(LedgerKey.first_seq)
        )
    ).all()
    found = [
        {"key": r.id, "public_key": r.public_key, "algorithm": "Ed25519", "from_seq": r.first_seq}
        for r in rows
    ]
    if current is not None and found and found[-1]["key"] == current:
        _PUBLIC[brand_id] = found
    return [dict(k) for k in found]


# --- writing --------------------------------------------------------------------------------


async def _write(
    db: AsyncSession,
    head: _Head,
    *,
    kind: str,
    facts: dict[str, Scalar],
    commitments: dict[str, str],
    signer: tuple[str, Ed25519PrivateKey],
    tag: str | None = None,
) -> LedgerRef:
    seq = head.size
    at = utcnow()
    kid, private = signer
    body = fmt.entry_body(
        brand=head.brand_id,
        seq=seq,
        prev=head.last_hash,
        kind=kind,
        at=fmt.timestamp(at),
        facts=facts,
        commitments=commitments,
        key=kid,
    )
    line = fmt.sign_entry(private, body)
    digest = fmt.entry_hash(line)
    frontier, made = merkle.push(head.frontier, seq, merkle.leaf_hash(line))
    state = _txn(db)
    state.entries.append(
        {
            "brand_id": head.brand_id,
            "seq": seq,
            "kind": kind,
            "tag": tag,
            "at": at,
            "key_id": kid,
            "hash": digest,
            "line": line.decode(),
        }
    )
    state.nodes.extend(
        {"brand_id": head.brand_id, "level": lv, "idx": ix, "hash": h} for lv, ix, h in made
    )
    head.size = seq + 1
    head.last_hash = digest
    head.frontier = frontier
    state.dirty.add(head.brand_id)
    return LedgerRef(seq=seq, hash=digest, kind=kind, at=at)


async def _genesis(db: AsyncSession, head: _Head) -> None:
    kid, private = await _new_key(db, head.brand_id, first_seq=0)
    head.key_id = kid
    await _write(
        db,
        head,
        kind=fmt.KIND_GENESIS,
        facts={"key": kid, "public_key": fmt.b64(fmt.public_raw(private)), "algorithm": "Ed25519"},
        commitments={},
        signer=(kid, private),
    )


async def _salt(db: AsyncSession, brand_id: str, subject: str) -> bytes:
    salts = _txn(db).salts
    known: bytes | None = salts.get(f"{brand_id}|{subject}")
    if known is not None:
        return known
    row = await db.get(LedgerSalt, (brand_id, subject))
    if row is None or not row.salt:
        if await privacy_keys.is_erased(db, subject=subject):
            raise Conflict(
                "This person was erased: nothing more is written about them.",
                code=LedgerErrorCode.SUBJECT_ERASED,
            )
        raw = os.urandom(32)
        if row is None:
            db.add(
                LedgerSalt(
                    brand_id=brand_id, subject=subject, salt=fmt.b64(raw), created_at=utcnow()
                )
            )
        else:
            row.salt = fmt.b64(raw)
        await db.flush()
    else:
        raw = fmt.unb64(row.salt)
    salts[f"{brand_id}|{subject}"] = raw
    return raw


async def append(
    db: AsyncSession,
    *,
    brand: str,
    kind: str,
    facts: Mapping[str, Scalar] | None = None,
    subjects: Mapping[str, str] | None = None,
    tag: str | None = None,
) -> LedgerRef:
    """Append a signed entry to the brand's chain, in the caller's transaction.

    `facts` are non-personal JSON scalars (numbers beyond 2**53 and floats are refused:
    write amounts as text); `subjects` map a role ("owner") to a person (a CRM profile id,
    or `customer:<id>` / `guest:<id>`): the entry holds only a salted commitment to each.
    """
    check_kind(kind)
    checked = check_facts(facts or {})
    people = dict(subjects or {})
    if len(people) > MAX_SUBJECTS:
        raise _invalid(f"At most {MAX_SUBJECTS} subjects per entry.")
    named: dict[str, str] = {}
    for role, value in people.items():
        if not isinstance(role, str) or not fmt.NAME_PATTERN.match(role):
            raise _invalid("Subject roles are lower-case ASCII words.")
        named[role] = subject_of(value)
    brand_id = await _brand_id(db, brand)
    head = await _lock_head(db, brand_id)
    seq = head.size
    commitments: dict[str, str] = {}
    for role, subject in sorted(named.items()):
        salt = await _salt(db, brand_id, subject)
        commitments[role] = fmt.commitment(salt, seq=seq, role=role, subject=subject)
    signer = (head.key_id, await _private_key(db, head.key_id))
    ref = await _write(
        db, head, kind=kind, facts=checked, commitments=commitments, signer=signer, tag=tag
    )
    _txn(db).links.extend(
        {"brand_id": brand_id, "subject": s, "seq": seq, "role": role}
        for role, s in sorted(named.items())
    )
    return ref


async def rotate_key(db: AsyncSession, *, brand: str) -> LedgerRef:
    """Write a rotation entry, signed by the current key, announcing a new key that signs
    every later entry; the old private key is destroyed."""
    found = await _brand(db, brand)
    head = await _lock_head(db, found.id)
    old_kid = head.key_id
    old = await _private_key(db, old_kid)
    new_kid, new = await _new_key(db, found.id, first_seq=head.size)
    ref = await _write(
        db,
        head,
        kind=fmt.KIND_ROTATION,
        facts={
            "key": new_kid,
            "public_key": fmt.b64(fmt.public_raw(new)),
            "algorithm": "Ed25519",
            "previous": old_kid,
        },
        commitments={},
        signer=(old_kid, old),
    )
    head.key_id = new_kid
    retired = await db.get(LedgerKey, old_kid)
    if retired is not None:
        retired.private_key = ""
        retired.retired_at = utcnow()
        await db.flush()
    _PRIVATE.pop(old_kid, None)
    return ref


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeadState:
    brand_id: str
    slug: str
    size: int
    root: str
    key_id: str


async def ensure_started(db: AsyncSession, *, brand_id: str) -> None:
    """Create the brand's chain (its key and genesis entry) if it has none yet."""
    await _drain(db)
    exists = await db.scalar(select(_HEAD.c.size).where(_HEAD.c.brand_id == brand_id))
    if not exists:
        await _lock_head(db, brand_id)


async def _read_head(db: AsyncSession, brand: Brand) -> HeadState:
    """The brand's head; a brand without a chain yet gets one (its key and genesis)."""
    await _drain(db)
    query = select(_HEAD.c.size, _HEAD.c.frontier, _HEAD.c.key_id).where(
        _HEAD.c.brand_id == brand.id
    )
    row = (await db.execute(query)).first()
    if row is None or not row.size:
        await _lock_head(db, brand.id)
        await _drain(db)
        row = (await db.execute(query)).one()
    return HeadState(
        brand.id, brand.slug, int(row.size), merkle.root_of(list(row.frontier or [])), row.key_id
    )


async def head_state(db: AsyncSession, *, brand_id: str) -> HeadState:
    brand = await brands.get(db, brand_id=brand_id)
    if brand is None:
        raise NotFound("No such brand.", code="brand_not_found")
    return await _read_head(db, brand)


async def _head_by_slug(db: AsyncSession, slug: str) -> HeadState:
    """The brand's head, read with the brand in one query."""
    await _drain(db)
    row = (
        await db.execute(
            select(Brand.id, _HEAD.c.size, _HEAD.c.frontier, _HEAD.c.key_id)
            .select_from(Brand)
            .outerjoin(_HEAD, _HEAD.c.brand_id == Brand.id)
            .where(Brand.slug == slug)
        )
    ).first()
    if row is None:
        raise NotFound(f"No brand {slug!r}.", code="brand_not_found")
    if not row.size:
        return await _read_head(db, await _brand(db, slug))
    frontier = list(row.frontier or [])
    return HeadState(row.id, slug, int(row.size), merkle.root_of(frontier), row.key_id)


# The last tree head signed per brand: a tree that has not changed (same size, root and
# key) is given the same signed head for up to this long, as a log serves its latest one.
SIGNED_HEAD_REUSE_S = 10.0
_SIGNED: dict[str, tuple[float, HeadState, dict[str, Any]]] = {}


async def sign_head(db: AsyncSession, state: HeadState) -> dict[str, Any]:
    """A signed tree head (size, root, time, key, signature) for a head state."""
    now = time.monotonic()
    kept = _SIGNED.get(state.brand_id)
    if kept is not None and kept[1] == state and now - kept[0] < SIGNED_HEAD_REUSE_S:
        return dict(kept[2])
    private = await _private_key(db, state.key_id)
    signed = fmt.sign_tree_head(
        private,
        brand=state.brand_id,
        slug=state.slug,
        size=state.size,
        root=state.root,
        at=fmt.timestamp(utcnow()),
        key=state.key_id,
    )
    _SIGNED[state.brand_id] = (now, state, signed)
    return dict(signed)


async def tree_head(db: AsyncSession, *, brand: str) -> dict[str, Any]:
    return await sign_head(db, await _head_by_slug(db, brand))


def holds_head(db: AsyncSession, brand_id: str) -> bool:
    """Whether this session's transaction has locked the brand's head (it appended, rotated
    the key or began the chain): what it reads of that ledger may not be committed yet."""
    state: _Txn | None = db.sync_session.info.get(_TXN_INFO)
    return state is not None and brand_id in state.heads


async def head_by_slug(db: AsyncSession, slug: str) -> HeadState:
    """The brand's head, read with the brand in one query (a brand without a chain gets
    one, in this transaction)."""
    return await _head_by_slug(db, slug)


def no_entry(brand: str, seq: int) -> NotFound:
    return NotFound(
        f"The ledger of {brand!r} has no entry {seq}.", code=LedgerErrorCode.ENTRY_NOT_FOUND
    )


async def proof_rows(
    db: AsyncSession, *, brand_id: str, seq: int | None, nodes: Sequence[merkle.Node]
) -> tuple[str | None, dict[merkle.Node, bytes]]:
    """In one query: the line of entry `seq` (unless None) and the stored `nodes`."""
    await _drain(db)
    parts = []
    if seq is not None:
        # The entry's line rides along as level -1.
        parts.append(
            select(
                sa_literal(-1).label("level"),
                _ENTRY.c.seq.label("idx"),
                _ENTRY.c.line.label("hash"),
            ).where(_ENTRY.c.brand_id == brand_id, _ENTRY.c.seq == seq)
        )
    if nodes:
        # One IN over (level, idx) pairs: the statement is compiled once, whatever the
        # number of nodes.
        parts.append(
            select(_NODE.c.level, _NODE.c.idx, _NODE.c.hash).where(
                _NODE.c.brand_id == brand_id,
                tuple_(_NODE.c.level, _NODE.c.idx).in_(list(nodes)),
            )
        )
    line: str | None = None
    found: dict[merkle.Node, bytes] = {}
    if not parts:
        return line, found
    query = parts[0] if len(parts) == 1 else parts[0].union_all(parts[1])
    for r in await db.execute(query):
        if r.level == -1:
            line = r.hash
        else:
            found[(r.level, r.idx)] = bytes.fromhex(r.hash)
    return line, found


def proof_document(
    state: HeadState,
    *,
    seq: int,
    line: str,
    path: list[str],
    tree_head: dict[str, Any],
    keys: list[dict[str, Any]],
) -> dict[str, Any]:
    """An inclusion proof as `GET .../proofs/{seq}` returns it."""
    return {
        "format": "vitrina-ledger-proof/1",
        "brand": {"id": state.brand_id, "slug": state.slug},
        "seq": seq,
        "entry": line,
        "tree_size": state.size,
        "path": path,
        "tree_head": tree_head,
        "keys": keys,
    }


async def inclusion_proof(db: AsyncSession, *, brand: str, seq: int) -> dict[str, Any]:
    """An RFC 6962 inclusion proof of entry `seq` in the brand's current tree, with the
    signed tree head it leads to and the brand's public keys: verifiable offline.

    Two queries: the brand with its head, then the entry's line with the stored nodes its
    audit path needs (O(log n) of them, whatever the size of the tree). The tree head's
    signature is reused while the tree has not changed (`SIGNED_HEAD_REUSE_S`). A running
    node serves proofs through its `ProofCache` (ledger/proof_cache.py), which mostly
    reads nothing."""
    state = await _head_by_slug(db, brand)
    if not 0 <= seq < state.size:
        raise no_entry(brand, seq)
    wanted = merkle.nodes_for_proof(seq, state.size)
    line, nodes = await proof_rows(db, brand_id=state.brand_id, seq=seq, nodes=list(wanted))
    return proof_document(
        state,
        seq=seq,
        line=line or "",
        path=merkle.inclusion_path(seq, state.size, nodes),
        tree_head=await sign_head(db, state),
        keys=await public_keys(db, brand_id=state.brand_id, current=state.key_id),
    )


async def entry_lines(db: AsyncSession, *, brand_id: str, start: int, stop: int) -> Sequence[str]:
    """The lines of entries start <= seq < stop, in order."""
    await _drain(db)
    return list(
        (
            await db.execute(
                select(_ENTRY.c.line)
                .where(_ENTRY.c.brand_id == brand_id, _ENTRY.c.seq >= start, _ENTRY.c.seq < stop)
                .order_by(_ENTRY.c.seq)
            )
        ).scalars()
    )


async def _subject_rows(db: AsyncSession, brand_id: str, subject: str) -> list[SubjectEntry]:
    rows = (
        await db.execute(
            select(
                _ENTRY.c.seq, _ENTRY.c.kind, _ENTRY.c.at, _ENTRY.c.hash, _ENTRY.c.line, _LINK.c.role
            )
            .join(_LINK, and_(_LINK.c.brand_id == _ENTRY.c.brand_id, _LINK.c.seq == _ENTRY.c.seq))
            .where(_LINK.c.brand_id == brand_id, _LINK.c.subject == subject)
            .order_by(_ENTRY.c.seq, _LINK.c.role)
        )
    ).all()
    import json

    out: dict[int, SubjectEntry] = {}
    for r in rows:
        seen = out.get(r.seq)
        if seen is not None:
            out[r.seq] = SubjectEntry(
                seen.seq,
                seen.kind,
                seen.at,
                seen.hash,
                (*seen.roles, r.role),
                seen.facts,
                seen.line,
            )
            continue
        at = r.at if isinstance(r.at, datetime) else datetime.fromisoformat(str(r.at))
        out[r.seq] = SubjectEntry(
            r.seq, r.kind, _aware(at), r.hash, (r.role,), json.loads(r.line)["facts"], r.line
        )
    return list(out.values())


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


async def subject_salt(db: AsyncSession, *, brand_id: str, subject: str) -> bytes | None:
    """The person's salt in the brand's ledger, or None (never made, or erased)."""
    row = await db.get(LedgerSalt, (brand_id, subject))
    if row is None or not row.salt:
        return None
    return fmt.unb64(row.salt)


async def subject_entries(db: AsyncSession, *, brand: str, subject: str) -> list[SubjectEntry]:
    """The entries that commit to a person, oldest first, while their salt exists."""
    found = await _brand(db, brand)
    return await entries_of_subject(db, brand_id=found.id, subject=subject_of(subject))


async def entries_of_subject(
    db: AsyncSession, *, brand_id: str, subject: str
) -> list[SubjectEntry]:
    if await subject_salt(db, brand_id=brand_id, subject=subject) is None:
        return []
    return await _subject_rows(db, brand_id, subject)
