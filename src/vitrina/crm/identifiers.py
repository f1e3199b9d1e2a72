"""Normal forms of customer identifiers, so one customer is one key whatever the spelling.

Emails are lower-cased, phones are E.164, wallets are EIP-55 checksummed addresses
(the chain they were proven on is kept beside), DIDs are kept as written (they are
case-sensitive), external CRM ids and channel handles are `system:value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from eth_utils.address import is_hex_address, to_checksum_address


class IdentityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WALLET = "wallet"
    DID = "did"
    EXTERNAL = "external"
    HANDLE = "handle"


class InvalidIdentifier(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: IdentityKind
    value: str


# EIP-2294's bound on EIP-155 chain ids: larger ones cannot be signed for safely in JavaScript.
MAX_CHAIN_ID = 4_503_599_627_370_476
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]{1,200}$")
_SYSTEM_VALUE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,39}):(\S{1,200})$")


def normalise(kind: IdentityKind | str, raw: str, *, region: str | None = None) -> Identifier:
    """The canonical form of `raw` as an identifier of `kind`; InvalidIdentifier if invalid."""
    kind = IdentityKind(kind)
    text = raw.strip()
    if kind is IdentityKind.EMAIL:
        try:
            info = validate_email(text, check_deliverability=False)
        except EmailNotValidError as exc:
            raise InvalidIdentifier(f"not an email address: {exc}") from None
        return Identifier(kind, info.normalized.lower())
    if kind is IdentityKind.PHONE:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise InvalidIdentifier(f"not a phone number: {exc}") from None
        if not phonenumbers.is_valid_number(number):
            raise InvalidIdentifier("not a valid phone number")
        return Identifier(
            kind, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        )
    if kind is IdentityKind.WALLET:
        if not is_hex_address(text):
            raise InvalidIdentifier("not an Ethereum address (0x and 40 hex digits)")
        if (
            text[2:] not in (text[2:].lower(), text[2:].upper())
            and to_checksum_address(text) != text
        ):
            # Mixed case means the writer claimed a checksum; a wrong one signals a typo.
            raise InvalidIdentifier("the address has a wrong EIP-55 checksum")
        return Identifier(kind, to_checksum_address(text))
    if kind is IdentityKind.DID:
        if not _DID.match(text):
            raise InvalidIdentifier("not a DID (did:method:identifier)")
        return Identifier(kind, text)
    match = _SYSTEM_VALUE.match(text.lower() if kind is IdentityKind.HANDLE else text)
    if match is None:
        raise InvalidIdentifier(f"a {kind} identifier is written system:value")
    return Identifier(kind, f"{match[1].lower()}:{match[2]}")


_PHONE_SHAPE = re.compile(r"^\+?[0-9 ().\-/]{4,30}$")


def _could_be(kind: IdentityKind, text: str) -> bool:
    """A cheap shape test, so that search only runs the parsers that can succeed."""
    if kind is IdentityKind.EMAIL:
        return "@" in text
    if kind is IdentityKind.PHONE:
        return bool(_PHONE_SHAPE.match(text))
    if kind is IdentityKind.WALLET:
        return text[:2].lower() == "0x"
    if kind is IdentityKind.DID:
        return text.startswith("did:")
    return ":" in text


def candidates(query: str) -> list[Identifier]:
    """Every identifier `query` could be, for search by any identifier."""
    found: list[Identifier] = []
    text = query.strip()
    for kind in IdentityKind:
        if not _could_be(kind, text):
            continue
        try:
            found.append(normalise(kind, query))
        except InvalidIdentifier:
            continue
    return found
