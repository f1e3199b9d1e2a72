"""Sign-In with Ethereum (EIP-4361): parse the message, check its fields, recover the signer.

The parser follows the ABNF of the standard line by line and refuses anything else, so
that the text a wallet showed the customer is exactly the text whose fields are checked.
The signature is an EIP-191 `personal_sign` over that text; the signer is recovered with
eth-account and must equal the address written in the message. Contract wallets
(EIP-1271) would need a chain RPC and are not accepted.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

# py_ecc, which eth-account imports, raises the interpreter's recursion limit to 100,000.
# With that limit a deeply nested JSON body ("[[[[...", 200 KB) overflows the C stack in
# the JSON parser and kills the server instead of raising RecursionError, so the limit
# in force before the import is put back (signature recovery does not need it).
_recursion_limit = sys.getrecursionlimit()
from eth_account import Account  # noqa: E402
from eth_account.messages import encode_defunct  # noqa: E402
from eth_utils.address import is_checksum_address  # noqa: E402

sys.setrecursionlimit(_recursion_limit)

_HEADER = re.compile(
    r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?P<domain>[^\s/?#]+)"
    r" wants you to sign in with your Ethereum account:$"
)
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NONCE = re.compile(r"^[a-zA-Z0-9]{8,}$")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_FIELDS = (
    ("URI", "uri", True),
    ("Version", "version", True),
    ("Chain ID", "chain_id", True),
    ("Nonce", "nonce", True),
    ("Issued At", "issued_at", True),
    ("Expiration Time", "expiration_time", False),
    ("Not Before", "not_before", False),
    ("Request ID", "request_id", False),
)


class SiweError(ValueError):
    """The message or signature is refused; `reason` is a stable short code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    scheme: str | None = None
    statement: str | None = None
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Expectations:
    """What the server requires of a message besides a valid signature."""

    domain: str
    origin: str
    chain_ids: frozenset[int]
    nonce: str
    now: datetime
    # How far a wallet's clock may run ahead of ours.
    clock_skew: timedelta = timedelta(seconds=60)
    # A message issued longer ago than this is stale even without an expiration time.
    max_age: timedelta = timedelta(minutes=10)


def _timestamp(value: str, name: str) -> datetime:
    if not _RFC3339.match(value):
        raise SiweError("malformed_message", f"{name} is not an RFC 3339 date-time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise SiweError("malformed_message", f"{name} is not a valid date: {value!r}") from None
    return parsed


def parse_message(text: str) -> SiweMessage:
    """Parse an EIP-4361 message; raise SiweError on any deviation from the grammar."""
    if "\r" in text:
        raise SiweError("malformed_message", "lines must end with LF only")
    lines = text.split("\n")
    header = _HEADER.match(lines[0]) if lines else None
    if header is None or len(lines) < 4:
        raise SiweError("malformed_message", "the first line is not an EIP-4361 preamble")
    address = lines[1]
    if not _ADDRESS.match(address):
        raise SiweError("malformed_address", "the second line is not an Ethereum address")
    if not is_checksum_address(address):
        raise SiweError("malformed_address", "the address is not EIP-55 checksummed")
    if lines[2] != "":
        raise SiweError("malformed_message", "an empty line must follow the address")
    index = 3
    statement: str | None = None
    if lines[3] != "":
        statement = lines[3]
        if lines[4:5] != [""]:
            raise SiweError("malformed_message", "an empty line must follow the statement")
        index = 5
    else:
        index = 4
    values: dict[str, str] = {}
    for label, key, required in _FIELDS:
        prefix = f"{label}: "
        if index < len(lines) and lines[index].startswith(prefix):
            values[key] = lines[index][len(prefix) :]
            index += 1
        elif required:
            raise SiweError("malformed_message", f"the {label} field is missing or out of order")
    resources: list[str] = []
    if index < len(lines) and lines[index] == "Resources:":
        index += 1
        while index < len(lines) and lines[index].startswith("- "):
            resources.append(lines[index][2:])
            index += 1
    if index != len(lines):
        raise SiweError("malformed_message", f"unexpected text on line {index + 1}")
    if values["version"] != "1":
        raise SiweError("malformed_message", "only version 1 is defined")
    if not values["chain_id"].isdigit():
        raise SiweError("malformed_message", "Chain ID must be a decimal number")
    if not _NONCE.match(values["nonce"]):
        raise SiweError("malformed_message", "the nonce must be at least 8 letters or digits")
    if not urlsplit(values["uri"]).scheme:
        raise SiweError("malformed_message", "URI must be an absolute URI")
    return SiweMessage(
        scheme=header["scheme"],
        domain=header["domain"],
        address=address,
        statement=statement,
        uri=values["uri"],
        version=values["version"],
        chain_id=int(values["chain_id"]),
        nonce=values["nonce"],
        issued_at=_timestamp(values["issued_at"], "Issued At"),
        expiration_time=(
            _timestamp(values["expiration_time"], "Expiration Time")
            if "expiration_time" in values
            else None
        ),
        not_before=(
            _timestamp(values["not_before"], "Not Before") if "not_before" in values else None
        ),
        request_id=values.get("request_id"),
        resources=tuple(resources),
    )


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def check_fields(message: SiweMessage, expected: Expectations) -> None:
    """Domain, URI, chain, nonce and time checks; raise SiweError for the first failure."""
    if message.domain.lower() != expected.domain.lower():
        raise SiweError("wrong_domain", f"the message is for {message.domain}, not this site")
    origin = _origin(expected.origin)
    if message.scheme is not None and message.scheme.lower() != urlsplit(origin).scheme:
        raise SiweError("wrong_domain", f"the message names scheme {message.scheme}")
    if _origin(message.uri) != origin:
        raise SiweError("wrong_uri", f"the URI {message.uri} is not on {origin}")
    if message.chain_id not in expected.chain_ids:
        raise SiweError("wrong_chain", f"chain {message.chain_id} is not accepted here")
    if message.nonce != expected.nonce:
        raise SiweError("invalid_nonce", "the nonce was not issued for this session")
    now = expected.now
    if message.issued_at > now + expected.clock_skew:
        raise SiweError("not_yet_valid", "the message was issued in the future")
    if message.issued_at < now - expected.max_age:
        raise SiweError("expired", "the message was issued too long ago")
    if message.expiration_time is not None and message.expiration_time <= now:
        raise SiweError("expired", "the message has expired")
    if message.not_before is not None and message.not_before > now + expected.clock_skew:
        raise SiweError("not_yet_valid", "the message is not valid yet")


def recover_signer(text: str, signature: str) -> str:
    """The checksummed address whose key made this EIP-191 signature of `text`."""
    sig = signature.removeprefix("0x")
    if len(sig) != 130 or not re.fullmatch(r"[0-9a-fA-F]+", sig):
        raise SiweError("bad_signature", "the signature must be 65 bytes in hex")
    try:
        signer: str = Account.recover_message(
            encode_defunct(text=text), signature=bytes.fromhex(sig)
        )
    except Exception as exc:  # eth-keys raises several types for invalid curve points
        raise SiweError("bad_signature", f"the signature cannot be verified: {exc}") from None
    return signer


def verify(text: str, signature: str, expected: Expectations) -> SiweMessage:
    """Parse, check and verify; returns the message whose address is the proven signer."""
    message = parse_message(text)
    check_fields(message, expected)
    if recover_signer(text, signature) != message.address:
        raise SiweError("bad_signature", "the signature was not made by the message's address")
    return message


def build_message(
    *,
    domain: str,
    address: str,
    uri: str,
    chain_id: int,
    nonce: str,
    issued_at: str,
    statement: str | None = None,
    expiration_time: str | None = None,
    not_before: str | None = None,
    request_id: str | None = None,
    resources: tuple[str, ...] = (),
) -> str:
    """The EIP-4361 text for these fields (used by the demo wallet, tests and benchmarks)."""
    lines = [f"{domain} wants you to sign in with your Ethereum account:", address, ""]
    # The grammar keeps the blank line after the statement even when there is none.
    lines += [statement, ""] if statement is not None else [""]
    lines += [f"URI: {uri}", "Version: 1", f"Chain ID: {chain_id}", f"Nonce: {nonce}"]
    lines.append(f"Issued At: {issued_at}")
    if expiration_time is not None:
        lines.append(f"Expiration Time: {expiration_time}")
    if not_before is not None:
        lines.append(f"Not Before: {not_before}")
    if request_id is not None:
        lines.append(f"Request ID: {request_id}")
    if resources:
        lines.append("Resources:")
        lines += [f"- {r}" for r in resources]
    return "\n".join(lines)
