"""The data-key table behind core.crypto, and the calls other domains use to seal fields.

Most personal columns are sealed transparently by `core.sealing` (declared in each
domain's personal_data.py); these calls are for values kept elsewhere:

from vitrina.privacy import keys
token = await keys.encrypt_for(db, settings, subject=subject, value=email)
email = await keys.decrypt_for(db, settings, subject=subject, token=token)  # None if erased
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from vitrina.core.config import Settings
from vitrina.core.crypto import INDEX_SUBJECT, Keyring, SubjectErased, derive_master_key
from vitrina.core.db import utcnow
from vitrina.core.sealing import Sealer
from vitrina.privacy import registry
from vitrina.privacy.models import DataKey, Tombstone


class TableKeyStore:
    """Wrapped keys in privacy_data_key; erased subjects in privacy_tombstone.

    Reads go through the session's connection (not the ORM identity map), so that they are
    safe from inside a flush or while the ORM loads rows.
    """

    def load(self, session: Session, subject: str) -> tuple[str, str, bytes] | None:
        row = session.execute(
            select(DataKey.key_id, DataKey.master_id, DataKey.wrapped).where(
                DataKey.subject == subject
            )
        ).first()
        return None if row is None else (row.key_id, row.master_id, row.wrapped)

    def load_many(
        self, session: Session, subjects: Sequence[str]
    ) -> dict[str, tuple[str, str, bytes]]:
        rows = session.execute(
            select(DataKey.subject, DataKey.key_id, DataKey.master_id, DataKey.wrapped).where(
                DataKey.subject.in_(list(subjects))
            )
        )
        return {r.subject: (r.key_id, r.master_id, r.wrapped) for r in rows}

    def erased_among(self, session: Session, subjects: Sequence[str]) -> set[str]:
        rows = session.execute(
            select(Tombstone.subject).where(Tombstone.subject.in_(list(subjects)))
        )
        return set(rows.scalars())

    def save(
        self, session: Session, subject: str, key_id: str, master_id: str, wrapped: bytes
    ) -> None:
        if not session._flushing and self.is_erased(session, subject):
            raise SubjectErased(f"{subject} was erased")
        session.add(
            DataKey(
                subject=subject,
                key_id=key_id,
                master_id=master_id,
                wrapped=wrapped,
                created_at=utcnow(),
            )
        )
        if not session._flushing:  # inside a flush, the new row joins that flush
            session.flush()

    def is_erased(self, session: Session, subject: str) -> bool:
        found = session.execute(
            select(Tombstone.subject).where(Tombstone.subject == subject)
        ).first()
        return found is not None


@lru_cache(maxsize=4)
def _keyring_for_secrets(secret: str, previous: tuple[str, ...]) -> Keyring:
    return Keyring(
        derive_master_key(secret),
        TableKeyStore(),
        previous=[derive_master_key(p) for p in previous],
    )


def keyring(settings: Settings) -> Keyring:
    return _keyring_for_secrets(
        settings.resolved_master_key, tuple(settings.resolved_previous_master_keys)
    )


def sealer(settings: Settings) -> Sealer:
    """What a session needs to seal and open the personal columns every domain declares
    (`create_sessionmaker(engine, sealer=keys.sealer(settings))`)."""
    registry.discover()
    return Sealer(keyring(settings))


async def ensure_index_key(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Create the blind-index key at start-up, in a transaction of its own, so that
    concurrent first requests never race to create it."""
    ring = keyring(settings)
    try:
        async with sessions() as db, db.begin():
            await db.run_sync(ring.index_key)
    except IntegrityError:
        pass  # another node created it first


async def encrypt_for(db: AsyncSession, settings: Settings, *, subject: str, value: str) -> str:
    """Seal a personal value under the subject's data key (created on first use)."""
    return await keyring(settings).encrypt(db, subject, value)


async def decrypt_for(
    db: AsyncSession, settings: Settings, *, subject: str, token: str
) -> str | None:
    """The plaintext, or None when the subject was erased (its key no longer exists)."""
    try:
        return await keyring(settings).decrypt(db, subject, token)
    except SubjectErased:
        return None


async def shred(db: AsyncSession, *, subject: str, request_id: str | None) -> bool:
    """Destroy the subject's data key and tombstone it; True when a key existed."""
    if subject == INDEX_SUBJECT:
        raise ValueError("the blind-index key belongs to no subject")
    result = await db.execute(delete(DataKey).where(DataKey.subject == subject))
    if await db.get(Tombstone, subject) is None:
        db.add(Tombstone(subject=subject, erased_at=utcnow(), request_id=request_id))
    await db.flush()
    Keyring.forget(db, subject)
    return bool(getattr(result, "rowcount", 0))


async def shred_all(db: AsyncSession, *, subjects: Iterable[str], request_id: str | None) -> int:
    """Shred several subjects (those whose keys sealed an erased person's rows)."""
    count = 0
    for subject in sorted(set(subjects)):
        count += await shred(db, subject=subject, request_id=request_id)
    return count


async def is_erased(db: AsyncSession, *, subject: str) -> bool:
    return await db.get(Tombstone, subject) is not None


# --- master-key rotation --------------------------------------------------------------------


async def rewrap(db: AsyncSession, ring: Keyring, *, batch: int = 1000) -> int:
    """Re-wrap up to `batch` data keys still wrapped by a previous master key under the
    current one (`ring` knows both); how many were re-wrapped. Call until it returns 0."""
    rows = (
        await db.execute(
            select(DataKey)
            .where(DataKey.master_id != ring.master_id)
            .order_by(DataKey.subject)
            .limit(batch)
        )
    ).scalars()
    count = 0
    for row in rows:
        data_key = ring.unwrap(row.subject, row.key_id, row.master_id, row.wrapped)
        row.wrapped = ring.wrap(row.subject, row.key_id, data_key)
        row.master_id = ring.master_id
        count += 1
    await db.flush()
    return count


async def wrapped_by_others(db: AsyncSession, ring: Keyring) -> int:
    found = await db.scalar(
        select(func.count()).select_from(DataKey).where(DataKey.master_id != ring.master_id)
    )
    return int(found or 0)


def rotate_key_file(settings: Settings) -> None:
    """File-based master key: the current key becomes the previous one (still opening the
    keys it wrapped) and a new random key takes its place, both 0600."""
    if settings.master_key is not None or settings.master_key_command:
        raise ValueError("the master key comes from the environment or a KMS: rotate it there")
    current = settings.data_dir / "master.key"
    previous = settings.data_dir / "master.key.previous"
    old = settings.resolved_master_key
    lines = [*settings.resolved_previous_master_keys, old]
    _write_private(previous, "\n".join(dict.fromkeys(lines)) + "\n")
    _write_private(current, secrets.token_urlsafe(48))


def forget_previous_key_file(settings: Settings) -> None:
    """Once every data key is re-wrapped, the previous master key opens nothing."""
    (settings.data_dir / "master.key.previous").unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


# --- the erasure log: erasures outlive a restored backup ------------------------------------


def erasure_log_path(settings: Settings) -> Path:
    return settings.data_dir / "erasure-log.jsonl"


def log_erasure(settings: Settings, subjects: Iterable[str], request_id: str | None) -> None:
    """Append the shredded subjects (opaque ids, no personal value) to the erasure log,
    kept outside the database so that a backup restored from before the erasure can be
    brought back in line (`reapply_erasures`). Written 0600 and synced to disk."""
    path = erasure_log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as fh:
        for subject in subjects:
            fh.write(json.dumps({"subject": subject, "request": request_id}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def logged_erasures(settings: Settings) -> dict[str, str | None]:
    path = erasure_log_path(settings)
    if not path.exists():
        return {}
    found: dict[str, str | None] = {}
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
        found[str(entry["subject"])] = entry.get("request")
    return found


async def reapply_erasures(db: AsyncSession, settings: Settings) -> int:
    """Shred again every erased subject whose key is back (a restored backup): those with a
    tombstone in the database and those in the erasure log. Returns how many keys went."""
    logged = logged_erasures(settings)
    back = set(
        (
            await db.execute(
                select(DataKey.subject).join(Tombstone, Tombstone.subject == DataKey.subject)
            )
        ).scalars()
    )
    names = sorted(logged)
    known: set[str] = set()
    for i in range(0, len(names), 500):
        chunk = names[i : i + 500]
        back |= set(
            (await db.execute(select(DataKey.subject).where(DataKey.subject.in_(chunk)))).scalars()
        )
        known |= set(
            (
                await db.execute(select(Tombstone.subject).where(Tombstone.subject.in_(chunk)))
            ).scalars()
        )
    count = 0
    for subject in sorted(back):
        count += await shred(db, subject=subject, request_id=logged.get(subject))
    for subject in names:
        if subject not in known and subject not in back:
            db.add(Tombstone(subject=subject, erased_at=utcnow(), request_id=logged[subject]))
    await db.flush()
    return count
