"""Envelope encryption of personal fields with one data key per subject.

A subject (a guest session or a customer) gets a random 256-bit data key. Personal
fields are sealed with AES-GCM under that key, with the subject bound in as associated
data so a ciphertext copied onto another subject's row does not open. The data key is
stored only wrapped by the master key from settings. Erasing a subject deletes its
wrapped key: every ciphertext of that subject, in live tables, append-only logs and
backups alike, becomes unreadable ("crypto-shredding").

Where wrapped keys live is not core's business: a `KeyStore` (the privacy domain's key
table) supplies them. Unwrapped keys are cached per session until its transaction ends,
so a request that decrypts a thousand rows of one customer unwraps the key once.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

TOKEN_PREFIX = "vx1"  # noqa: S105 - a format marker, not a secret
_NONCE_BYTES = 12
_CACHE_KEY = "vitrina.data_key_cache"


class CryptoError(Exception):
    """A ciphertext that cannot be opened: tampered, foreign, or sealed under another key."""


class SubjectErased(CryptoError):
    """The subject's data key was destroyed by an erasure; its data is gone for good."""


class KeyStore(Protocol):
    """Persistence of wrapped data keys, provided by the domain that owns the key table."""

    async def load(self, db: AsyncSession, subject: str) -> tuple[str, bytes] | None:
        """(key id, wrapped key) of `subject`, or None when it has none."""

    async def save(self, db: AsyncSession, subject: str, key_id: str, wrapped: bytes) -> None:
        """Store a new wrapped key; raises SubjectErased for a tombstoned subject."""

    async def is_erased(self, db: AsyncSession, subject: str) -> bool: ...


def derive_master_key(secret: str) -> bytes:
    """The key-encryption key: HKDF-SHA256 over the configured secret (any length >= 32)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"vitrina master key v1"
    ).derive(secret.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _drop_cache(sync_session: Any) -> None:
    cache = sync_session.info.get(_CACHE_KEY)
    if cache:
        cache.clear()


class Keyring:
    """Seals and opens personal values for subjects; one instance per master key."""

    def __init__(self, master_key: bytes, store: KeyStore) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._kek = AESGCM(master_key)
        # Identifies which master key wrapped a data key, for a future rotation.
        self.master_id = hashlib.sha256(master_key).hexdigest()[:8]
        self._store = store

    def _wrap(self, subject: str, key_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        aad = f"wrap|{self.master_id}|{key_id}|{subject}".encode()
        return nonce + self._kek.encrypt(nonce, data_key, aad)

    def _unwrap(self, subject: str, key_id: str, wrapped: bytes) -> bytes:
        aad = f"wrap|{self.master_id}|{key_id}|{subject}".encode()
        try:
            return self._kek.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], aad)
        except InvalidTag:
            raise CryptoError(
                f"the data key of {subject} does not open with this master key"
            ) from None

    @staticmethod
    def _cache(db: AsyncSession) -> dict[str, tuple[str, AESGCM]]:
        cache: dict[str, tuple[str, AESGCM]] | None = db.info.get(_CACHE_KEY)
        if cache is None:
            cache = db.info[_CACHE_KEY] = {}
            # Unwrapped keys live for one transaction: an erasure committed by another
            # session must not be outlived by a key still held in this one.
            sync_session = db.sync_session
            for name in ("after_commit", "after_rollback"):
                sa_event.listen(sync_session, name, _drop_cache)
        return cache

    @staticmethod
    def forget(db: AsyncSession, subject: str) -> None:
        """Drop a subject's unwrapped key from the session cache (after an erasure)."""
        Keyring._cache(db).pop(subject, None)

    async def _key(self, db: AsyncSession, subject: str, *, create: bool) -> tuple[str, AESGCM]:
        cache = self._cache(db)
        hit = cache.get(subject)
        if hit is not None:
            return hit
        stored = await self._store.load(db, subject)
        if stored is None:
            if await self._store.is_erased(db, subject):
                raise SubjectErased(f"{subject} was erased")
            if not create:
                raise SubjectErased(f"{subject} has no data key")
            key_id = os.urandom(6).hex()
            data_key = AESGCM.generate_key(bit_length=256)
            await self._store.save(db, subject, key_id, self._wrap(subject, key_id, data_key))
        else:
            key_id, wrapped = stored
            data_key = self._unwrap(subject, key_id, wrapped)
        entry = (key_id, AESGCM(data_key))
        cache[subject] = entry
        return entry

    async def encrypt(self, db: AsyncSession, subject: str, value: str) -> str:
        """A printable token `vx1.<key id>.<nonce+ciphertext>` for `value`."""
        key_id, aead = await self._key(db, subject, create=True)
        nonce = os.urandom(_NONCE_BYTES)
        sealed = aead.encrypt(nonce, value.encode(), f"{subject}|{key_id}".encode())
        return f"{TOKEN_PREFIX}.{key_id}.{_b64(nonce + sealed)}"

    async def decrypt(self, db: AsyncSession, subject: str, token: str) -> str:
        """The plaintext of `token`; SubjectErased once the subject's key is destroyed."""
        prefix, _, rest = token.partition(".")
        key_id, _, body = rest.partition(".")
        if prefix != TOKEN_PREFIX or not key_id or not body:
            raise CryptoError("not a Vitrina ciphertext")
        current_id, aead = await self._key(db, subject, create=False)
        if current_id != key_id:
            raise CryptoError(f"sealed under key {key_id}, which is not {subject}'s key")
        raw = _unb64(body)
        try:
            plain = aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], f"{subject}|{key_id}".encode()
            )
        except InvalidTag:
            raise CryptoError("the ciphertext was altered or belongs to another subject") from None
        return plain.decode()
