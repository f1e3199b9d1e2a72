"""The ledger's tables: per brand a head (the lock and the tree's frontier), the entries
(their canonical lines), the Merkle nodes, the signing keys; off-chain, the salts of the
commitments and which entries commit to whom (both erased with the person); pledges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin


class LedgerHead(Base):
    """One row per brand: locked by every append, so a brand's entries form one chain."""

    __tablename__ = "ledger_head"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    # frontier[level]: hex hash of the perfect subtree at that level, or null.
    frontier: Mapped[list[Any]] = mapped_column(JSON, default=list)
    key_id: Mapped[str] = mapped_column(String(16), default="")
    updated_at: Mapped[datetime]


class LedgerEntry(Base):
    """An entry as signed: `line` is its canonical JSON, byte for byte what is exported."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_kind", "brand_id", "kind", "tag"),)

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64))
    # What the entry is about, for counting (a pledge's id); not part of the signed bytes.
    tag: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(Text)


class LedgerNode(Base):
    """A perfect subtree's hash, stored once it is complete (level 0: the leaves)."""

    __tablename__ = "ledger_node"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerKey(Base):
    """A brand's Ed25519 signing key; the private half sealed under the brand's ledger
    subject (`ledger:<brand id>`), like a personal value under its person's key."""

    __tablename__ = "ledger_key"
    __table_args__ = (Index("ix_ledger_key_brand", "brand_id", "first_seq"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    public_key: Mapped[str] = mapped_column(String(64))
    private_key: Mapped[str] = mapped_column(Text)
    sealed_for: Mapped[str | None] = mapped_column(String(64))
    # The seq of the entry announcing it (genesis or rotation); it signs from there on.
    first_seq: Mapped[int] = mapped_column(BigInteger)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class LedgerSalt(Base):
    """The secret salt of a person's commitments in a brand's ledger (off-chain). Erasure
    deletes it (and its key is shredded): the commitments then point to no one."""

    __tablename__ = "ledger_salt"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    salt: Mapped[str] = mapped_column(Text)
    sealed_for: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class LedgerSubjectLink(Base):
    """Which entries commit to a person, in which role (off-chain, erased with the salt)."""

    __tablename__ = "ledger_subject_link"

    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(64), primary_key=True)


class LedgerPledge(IdMixin, Base):
    """A brand's promise for an action in the world: `booking.created` -> one tree planted."""

    __tablename__ = "ledger_pledge"
    __table_args__ = (Index("ix_ledger_pledge_action", "brand_id", "action"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(64))
    # {"en": "one tree planted", "fr": "...", "it": "..."}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class AppendOnlyError(RuntimeError):
    """Ledger entries are history: nothing edits or deletes them."""


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _refuse_change(*_args: Any) -> None:
    raise AppendOnlyError("ledger entries are append-only")
