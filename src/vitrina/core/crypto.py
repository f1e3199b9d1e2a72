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
import hmac
import os
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

TOKEN_PREFIX = "vx1"  # noqa: S105 - a format marker, not a secret
_NONCE_BYTES = 12
_CACHE_KEY = "vitrina.data_key_cache"
# The pseudo-subject whose "data key" is the key of the blind indexes; never erased.
INDEX_SUBJECT = "system:blind-index"
_NEW_INDEX_KEY = "vitrina.new_index_key"
# What erasers write as the subject of rows they keep: no key is ever made for it.
ERASED_SUBJECT = "erased"


class CryptoError(Exception):
    """A ciphertext that cannot be opened: tampered, foreign, or sealed under another key."""


class SubjectErased(CryptoError):
    """The subject's data key was destroyed by an erasure; its data is gone for good."""


class KeyStore(Protocol):
    """Persistence of wrapped data keys, provided by the domain that owns the key table.

    The calls are synchronous on the ORM `Session` under an `AsyncSession` (run through
    `run_sync`, or from a flush or load event), so that sealing can happen inside a flush.
    """

    def load(self, session: Session, subject: str) -> tuple[str, str, bytes] | None:
        """(key id, master id, wrapped key) of `subject`, or None when it has none."""

    def save(
        self, session: Session, subject: str, key_id: str, master_id: str, wrapped: bytes
    ) -> None:
        """Store a new wrapped key; raises SubjectErased for a tombstoned subject."""

    def is_erased(self, session: Session, subject: str) -> bool: ...

    def load_many(
        self, session: Session, subjects: Sequence[str]
    ) -> dict[str, tuple[str, str, bytes]]:
        """`load` for many subjects in one round trip; those without a key are left out."""

    def erased_among(self, session: Session, subjects: Sequence[str]) -> set[str]: ...


def derive_master_key(secret: str) -> bytes:
    """The key-encryption key: HKDF-SHA256 over the configured secret (any length >= 32)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"vitrina master key v1"
    ).derive(secret.encode())


def master_id_of(master_key: bytes) -> str:
    """Which master key wrapped a data key (recorded next to it, used by rotation)."""
    return hashlib.sha256(master_key).hexdigest()[:8]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_token(value: object) -> bool:
    """Whether `value` looks like a sealed value (`vx1.<key id>.<base64>`)."""
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX + ".")


def seal_with(aead: AESGCM, subject: str, key_id: str, value: str) -> str:
    """A token for `value` under an unwrapped data key (bulk loaders; see Keyring.seal)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = aead.encrypt(nonce, value.encode(), f"{subject}|{key_id}".encode())
    return f"{TOKEN_PREFIX}.{key_id}.{_b64(nonce + sealed)}"


def blind_with(index_key: bytes, value: str) -> str:
    """The blind index of `value`: HMAC-SHA256 under the index key, 128 bits in hex."""
    return hmac.new(index_key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _drop_cache(sync_session: Any) -> None:
    cache = sync_session.info.get(_CACHE_KEY)
    if cache:
        cache.clear()
    sync_session.info.pop(_NEW_INDEX_KEY, None)


class Keyring:
    """Seals and opens personal values for subjects; one instance per master key.

    `previous` master keys still open data keys they wrapped, so that a server keeps
    working while a rotation re-wraps every data key under the current one.
    """

    def __init__(
        self, master_key: bytes, store: KeyStore, *, previous: Sequence[bytes] = ()
    ) -> None:
        if len(master_key) != 32 or any(len(k) != 32 for k in previous):
            raise ValueError("the master key must be 32 bytes")
        self.master_id = master_id_of(master_key)
        self._keks = {master_id_of(k): AESGCM(k) for k in previous}
        self._keks[self.master_id] = AESGCM(master_key)
        self._store = store
        # The blind-index key is no subject's data: once read, it is kept for the process.
        self._index_key: bytes | None = None

    def wrap(self, subject: str, key_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        aad = f"wrap|{self.master_id}|{key_id}|{subject}".encode()
        return nonce + self._keks[self.master_id].encrypt(nonce, data_key, aad)

    def unwrap(self, subject: str, key_id: str, master_id: str, wrapped: bytes) -> bytes:
        kek = self._keks.get(master_id)
        if kek is None:
            raise CryptoError(
                f"the data key of {subject} was wrapped by unknown master {master_id}"
            )
        aad = f"wrap|{master_id}|{key_id}|{subject}".encode()
        try:
            return kek.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], aad)
        except InvalidTag:
            raise CryptoError(
                f"the data key of {subject} does not open with this master key"
            ) from None

    @staticmethod
    def _cache(session: Session) -> dict[str, tuple[str, AESGCM]]:
        cache: dict[str, tuple[str, AESGCM]] | None = session.info.get(_CACHE_KEY)
        if cache is None:
            cache = session.info[_CACHE_KEY] = {}
            # Unwrapped keys live for one transaction: an erasure committed by another
            # session must not be outlived by a key still held in this one.
            for name in ("after_commit", "after_rollback"):
                sa_event.listen(session, name, _drop_cache)
        return cache

    @staticmethod
    def forget(db: AsyncSession | Session, subject: str) -> None:
        """Drop a subject's unwrapped key from the session cache (after an erasure)."""
        session = db.sync_session if isinstance(db, AsyncSession) else db
        Keyring._cache(session).pop(subject, None)

    def _key(
        self, session: Session, subject: str, *, create: bool, known_new: bool = False
    ) -> tuple[str, AESGCM]:
        cache = self._cache(session)
        hit = cache.get(subject)
        if hit is not None:
            return hit
        stored = None if known_new else self._store.load(session, subject)
        if stored is None:
            if not known_new and self._store.is_erased(session, subject):
                raise SubjectErased(f"{subject} was erased")
            if not create or subject == ERASED_SUBJECT:
                raise SubjectErased(f"{subject} has no data key")
            key_id = os.urandom(6).hex()
            data_key = AESGCM.generate_key(bit_length=256)
            self._store.save(
                session, subject, key_id, self.master_id, self.wrap(subject, key_id, data_key)
            )
        else:
            key_id, master_id, wrapped = stored
            data_key = self.unwrap(subject, key_id, master_id, wrapped)
        entry = (key_id, AESGCM(data_key))
        cache[subject] = entry
        return entry

    def prefetch(self, session: Session, subjects: Iterable[str], *, create: bool) -> None:
        """Unwrap (and with `create`, make) the keys of many subjects at once, so that a
        flush sealing rows of thousands of subjects costs a few queries, not thousands."""
        cache = self._cache(session)
        missing = sorted({s for s in subjects if s not in cache})
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            stored = self._store.load_many(session, chunk)
            for subject, (key_id, master_id, wrapped) in stored.items():
                cache[subject] = (key_id, AESGCM(self.unwrap(subject, key_id, master_id, wrapped)))
            if not create:
                continue
            keyless = [s for s in chunk if s not in stored]
            erased = self._store.erased_among(session, keyless) if keyless else set()
            for subject in keyless:
                if subject not in erased:
                    self._key(session, subject, create=True, known_new=True)

    def seal(self, session: Session, subject: str, value: str) -> str:
        """A printable token `vx1.<key id>.<nonce+ciphertext>` for `value`."""
        key_id, aead = self._key(session, subject, create=True)
        return seal_with(aead, subject, key_id, value)

    def open(self, session: Session, subject: str, token: str) -> str:
        """The plaintext of `token`; SubjectErased once the subject's key is destroyed."""
        prefix, _, rest = token.partition(".")
        key_id, _, body = rest.partition(".")
        if prefix != TOKEN_PREFIX or not key_id or not body:
            raise CryptoError("not a Vitrina ciphertext")
        current_id, aead = self._key(session, subject, create=False)
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

    def index_key(self, session: Session) -> bytes:
        """The key of the blind indexes: a random key stored wrapped like a data key
        (under INDEX_SUBJECT), so that a master-key rotation does not change any index."""
        if self._index_key is not None:
            return self._index_key
        stored = self._store.load(session, INDEX_SUBJECT)
        if stored is None:
            created: bytes | None = session.info.get(_NEW_INDEX_KEY)
            if created is None:  # the first blind index of this installation
                self._cache(session)  # so that the end of the transaction drops it
                created = session.info[_NEW_INDEX_KEY] = AESGCM.generate_key(bit_length=256)
                key_id = os.urandom(6).hex()
                wrapped = self.wrap(INDEX_SUBJECT, key_id, created)
                self._store.save(session, INDEX_SUBJECT, key_id, self.master_id, wrapped)
            return created
        key_id, master_id, wrapped = stored
        self._index_key = self.unwrap(INDEX_SUBJECT, key_id, master_id, wrapped)
        return self._index_key

    def blind(self, session: Session, value: str) -> str:
        """A keyed hash of `value` (HMAC-SHA256, 128 bits in hex) to search by equality."""
        return blind_with(self.index_key(session), value)

    async def encrypt(self, db: AsyncSession, subject: str, value: str) -> str:
        return await db.run_sync(self.seal, subject, value)

    async def decrypt(self, db: AsyncSession, subject: str, token: str) -> str:
        return await db.run_sync(self.open, subject, token)
