"""`did:key` identifiers with Ed25519 keys, and verification of a signed challenge.

A did:key is `did:key:z` + base58btc(multicodec 0xed01 + 32-byte public key). The holder
proves control by signing the challenge text the server issued with the matching key.
"""

from __future__ import annotations

import base64

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_ED25519_MULTICODEC = b"\xed\x01"


class DidKeyError(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def public_key_of(did: str) -> Ed25519PublicKey:
    """The Ed25519 key a did:key names; raise DidKeyError for anything else."""
    if not did.startswith("did:key:z") or len(did) > 128:
        raise DidKeyError("malformed_did", "expected a did:key with a base58btc ('z') key")
    try:
        raw = base58.b58decode(did[len("did:key:z") :])
    except ValueError:
        raise DidKeyError("malformed_did", "the key is not valid base58btc") from None
    if not raw.startswith(_ED25519_MULTICODEC) or len(raw) != 34:
        raise DidKeyError("unsupported_key", "only Ed25519 did:key identifiers are accepted")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_of(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(_ED25519_MULTICODEC + raw).decode()


def decode_signature(signature: str) -> bytes:
    """Signatures travel as base64url (padding optional) or as hex."""
    text = signature.strip()
    try:
        if len(text) == 128 and all(c in "0123456789abcdefABCDEF" for c in text):
            return bytes.fromhex(text)
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise DidKeyError("bad_signature", "the signature is neither base64url nor hex") from None


def verify(did: str, challenge: str, signature: str) -> None:
    """Raise DidKeyError unless `signature` is the DID's Ed25519 signature of `challenge`."""
    key = public_key_of(did)
    sig = decode_signature(signature)
    if len(sig) != 64:
        raise DidKeyError("bad_signature", "an Ed25519 signature is 64 bytes")
    try:
        key.verify(sig, challenge.encode())
    except InvalidSignature:
        raise DidKeyError("bad_signature", "the signature does not match the DID's key") from None
