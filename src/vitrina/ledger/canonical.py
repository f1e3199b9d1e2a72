"""The ledger's byte layout: canonical JSON, entry hashes, signatures, tree heads.

Pure functions with no database, shared by the service that writes entries and by the
offline verifier (`vitrina ledger verify`), so both agree byte for byte.

Canonical JSON is RFC 8785 (JCS) for the values the ledger admits: objects with ASCII keys
(sorted), strings, integers within +-(2**53 - 1), booleans and null; no floats. For these,
`json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in UTF-8 gives
exactly the JCS bytes (same escapes, same key order for ASCII keys).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "vitrina-ledger/1"
VERSION = 1
ENTRY_CONTEXT = b"vitrina-ledger/entry/v1\n"
TREE_HEAD_CONTEXT = b"vitrina-ledger/tree-head/v1\n"
GENESIS_PREV = "0" * 64
MAX_SAFE_INT = 2**53 - 1

KIND_GENESIS = "ledger.key"
KIND_ROTATION = "ledger.key_rotated"

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}(\.[a-z][a-z0-9_]{0,30}){1,3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FormatError(ValueError):
    """A value that has no canonical form in the ledger (a float, a non-ASCII key, ...)."""


def canonical(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON value (RFC 8785 for the admitted subset)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def check_scalar(value: Any) -> None:
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise FormatError("a text value is not valid Unicode") from None
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INT:
            raise FormatError("an integer beyond 2**53 - 1 (write it as a string)")
        return
    raise FormatError(f"a {type(value).__name__} is not a ledger scalar (write numbers as text)")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise FormatError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


def timestamp(at: datetime) -> str:
    """UTC with microseconds and a Z: 2026-12-07T13:00:00.123456Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# --- keys -----------------------------------------------------------------------------------


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over its 32 raw bytes."""
    return hashlib.sha256(public).hexdigest()[:16]


def load_public(text: str) -> Ed25519PublicKey:
    raw = unb64(text)
    if len(raw) != 32:
        raise FormatError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


# --- entries --------------------------------------------------------------------------------


def entry_body(
    *,
    brand: str,
    seq: int,
    prev: str,
    kind: str,
    at: str,
    facts: dict[str, Any],
    commitments: dict[str, str],
    key: str,
) -> dict[str, Any]:
    return {
        "v": VERSION,
        "brand": brand,
        "seq": seq,
        "prev": prev,
        "kind": kind,
        "at": at,
        "facts": facts,
        "commitments": commitments,
        "key": key,
    }


def sign_entry(private: Ed25519PrivateKey, body: dict[str, Any]) -> bytes:
    """The entry's line: the canonical JSON of its body plus `sig`, the Ed25519 signature
    over ENTRY_CONTEXT + canonical(body)."""
    sig = private.sign(ENTRY_CONTEXT + canonical(body))
    return canonical({**body, "sig": b64(sig)})


def entry_hash(line: bytes) -> str:
    """What the next entry's `prev` holds: SHA-256 of the whole line (signature included)."""
    return hashlib.sha256(line).hexdigest()


def verify_entry_signature(public: Ed25519PublicKey, entry: dict[str, Any]) -> bool:
    body = {k: v for k, v in entry.items() if k != "sig"}
    try:
        public.verify(unb64(str(entry.get("sig", ""))), ENTRY_CONTEXT + canonical(body))
    except (InvalidSignature, FormatError):
        return False
    return True


def commitment(salt: bytes, *, seq: int, role: str, subject: str) -> str:
    """SHA-256(salt || UTF-8("<seq>\\n<role>\\n<subject>")) in hex: binds the entry to a
    person without naming them; without the salt it links to no one."""
    return hashlib.sha256(salt + f"{seq}\n{role}\n{subject}".encode()).hexdigest()


# --- tree heads -----------------------------------------------------------------------------


def sign_tree_head(
    private: Ed25519PrivateKey,
    *,
    brand: str,
    slug: str,
    size: int,
    root: str,
    at: str,
    key: str,
) -> dict[str, Any]:
    head: dict[str, Any] = {
        "v": VERSION,
        "brand": brand,
        "slug": slug,
        "size": size,
        "root": root,
        "at": at,
        "key": key,
    }
    head["sig"] = b64(private.sign(TREE_HEAD_CONTEXT + canonical(head)))
    return head


def verify_tree_head_signature(public: Ed25519PublicKey, head: dict[str, Any]) -> bool:
    body = {k: v for k, v in head.items() if k != "sig"}
    try:
        public.verify(unb64(str(head.get("sig", ""))), TREE_HEAD_CONTEXT + canonical(body))
    except (InvalidSignature, FormatError):
        return False
    return True
