"""The data-key table behind core.crypto, and the calls other domains use to seal fields.

from vitrina.privacy import keys
token = await keys.encrypt_for(db, settings, subject=subject, value=email)
email = await keys.decrypt_for(db, settings, subject=subject, token=token)  # None if erased
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.config import Settings
from vitrina.core.crypto import Keyring, SubjectErased, derive_master_key
from vitrina.core.db import utcnow
from vitrina.privacy.models import DataKey, Tombstone


class TableKeyStore:
    """Wrapped keys in privacy_data_key; erased subjects in privacy_tombstone."""

    def __init__(self, master_id: str = "") -> None:
        self.master_id = master_id

    async def load(self, db: AsyncSession, subject: str) -> tuple[str, bytes] | None:
        row = await db.get(DataKey, subject)
        return None if row is None else (row.key_id, row.wrapped)

    async def save(self, db: AsyncSession, subject: str, key_id: str, wrapped: bytes) -> None:
        if await self.is_erased(db, subject):
            raise SubjectErased(f"{subject} was erased")
        db.add(
            DataKey(
                subject=subject,
                key_id=key_id,
                master_id=self.master_id,
                wrapped=wrapped,
                created_at=utcnow(),
            )
        )
        await db.flush()

    async def is_erased(self, db: AsyncSession, subject: str) -> bool:
        return await db.get(Tombstone, subject) is not None


@lru_cache(maxsize=4)
def _keyring_for_secret(secret: str) -> Keyring:
    master = derive_master_key(secret)
    store = TableKeyStore()
    ring = Keyring(master, store)
    store.master_id = ring.master_id
    return ring


def keyring(settings: Settings) -> Keyring:
    return _keyring_for_secret(settings.resolved_master_key)


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
    result = await db.execute(delete(DataKey).where(DataKey.subject == subject))
    if await db.get(Tombstone, subject) is None:
        db.add(Tombstone(subject=subject, erased_at=utcnow(), request_id=request_id))
    await db.flush()
    Keyring.forget(db, subject)
    return bool(getattr(result, "rowcount", 0))


async def is_erased(db: AsyncSession, *, subject: str) -> bool:
    return await db.get(Tombstone, subject) is not None
