"""Anchoring: signed tree heads published outside the database, so that a brand cannot
later rewrite its history without contradicting what it published.

An `Anchor` publishes a brand's signed tree head. `FileAnchor`, the default, appends it
to `<data dir>/ledger-anchors.jsonl` (one canonical JSON object per line: {"brand": slug,
"tree_head": {...}}); other anchors (a transparency log, a public timestamping service, a
blockchain) implement the same protocol. `AnchorJob` publishes every brand whose ledger
grew since its last publication, every `VITRINA_LEDGER_ANCHOR_INTERVAL_S`.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.db import transaction
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service
from vitrina.ledger.models import LedgerHead

log = structlog.get_logger(__name__)


class Anchor(Protocol):
    async def publish(self, brand: str, tree_head: dict[str, Any]) -> None: ...


class FileAnchor:
    """Appends signed tree heads to a local JSON-lines file, synced to disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def publish(self, brand: str, tree_head: dict[str, Any]) -> None:
        line = fmt.canonical({"brand": brand, "tree_head": tree_head}) + b"\n"
        await asyncio.to_thread(self._append, line)

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def published(self) -> list[dict[str, Any]]:
        import json

        if not self.path.exists():
            return []
        out = []
        for raw in self.path.read_bytes().splitlines():
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue  # a line cut short by a crash
        return out


async def anchor_once(
    sessions: async_sessionmaker[AsyncSession], anchor: Anchor, last: dict[str, int]
) -> int:
    """Publish the tree head of every brand whose ledger grew since `last` (brand id ->
    size published); returns how many were published."""
    async with sessions() as db:
        sizes = (await db.execute(select(LedgerHead.brand_id, LedgerHead.size))).all()
        slugs = {b.id: b.slug for b in await brands.list_brands(db)}
    rows = [(brand_id, size, slugs[brand_id]) for brand_id, size in sizes if brand_id in slugs]
    count = 0
    for brand_id, size, slug in rows:
        if size == 0 or last.get(brand_id) == size:
            continue
        async with transaction(sessions) as db:
            head = await service.sign_head(db, await service.head_state(db, brand_id=brand_id))
        await anchor.publish(slug, head)
        last[brand_id] = int(head["size"])
        count += 1
    return count


class AnchorJob:
    """Publishes tree heads every `interval_s` while the server runs."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], anchor: Anchor, *, interval_s: float
    ) -> None:
        self.sessions = sessions
        self.anchor = anchor
        self.interval_s = interval_s
        self.last: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                published = await anchor_once(self.sessions, self.anchor, self.last)
                if published:
                    log.info("ledger_anchored", count=published)
            except Exception:
                log.exception("ledger_anchor_failed")
            await asyncio.sleep(self.interval_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
