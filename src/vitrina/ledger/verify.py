"""Offline verification of a ledger file (`vitrina ledger verify`), with no database and
no trust in the server: only this module, `cryptography` and the file.

What is checked, in one pass:

- the header names the format and the brand, and lists exactly the keys the chain announces;
- each entry is JSON with exactly the entry fields, its seq follows the previous one, it
  belongs to the header's brand, it is signed by the key in force (the genesis entry
  announces the first key and signs itself; a rotation entry, signed by the key in force,
  announces the next one, which signs every later entry);
- each entry's `prev` is the SHA-256 of the previous line (the chain);
- the last line is a tree head for exactly these entries: its size, its Merkle root (RFC
  6962, recomputed from every line) and its signature by the key in force.

Every signature is verified with `all_signatures` (the default of the command). Without
it (`--fast`), the entries' signatures are verified where they carry trust (the genesis and
rotations) and where a fault must be located; the others are covered by the signed tree
head, whose root commits to every line byte for byte. Either way, a single changed byte
anywhere is found and named: the first bad line, its seq and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vitrina.ledger import canonical as fmt
from vitrina.ledger import merkle

ENTRY_FIELDS = frozenset(
    {"v", "brand", "seq", "prev", "kind", "at", "facts", "commitments", "key", "sig"}
)
HEAD_FIELDS = frozenset({"v", "brand", "slug", "size", "root", "at", "key", "sig"})


@dataclass(frozen=True, slots=True)
class Fault:
    line: int
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (seq {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.what}"


@dataclass(slots=True)
class Report:
    brand: str = ""
    slug: str = ""
    entries: int = 0
    keys: list[str] = field(default_factory=list)
    root: str = ""
    signatures_checked: int = 0
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


class _Bad(Exception):
    def __init__(self, line: int, seq: int | None, what: str) -> None:
        super().__init__(what)
        self.fault = Fault(line, seq, what)


def _parse(raw: bytes, number: int, seq: int | None, *, strict: bool) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _Bad(number, seq, "not valid JSON") from None
    if not isinstance(value, dict):
        raise _Bad(number, seq, "not a JSON object")
    if strict:
        try:
            same = fmt.canonical(value) == raw
        except (ValueError, UnicodeEncodeError):
            same = False
        if not same:
            raise _Bad(number, seq, "not in canonical form (RFC 8785)")
    return value


@dataclass(slots=True)
class _Previous:
    raw: bytes
    entry: dict[str, Any]
    number: int
    checked: bool


class Verifier:
    def __init__(self, *, all_signatures: bool = True) -> None:
        self.all_signatures = all_signatures
        self.report = Report()
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._announced: list[dict[str, Any]] = []
        self._current = ""
        self._prev_hash = fmt.GENESIS_PREV
        self._frontier: list[bytes | None] = []
        self._previous: _Previous | None = None
        self._header: dict[str, Any] | None = None
        self._done = False

    # --- per line -----------------------------------------------------------------------

    def header(self, raw: bytes, number: int) -> None:
        head = _parse(raw, number, None, strict=True)
        brand = head.get("brand")
        if head.get("format") != fmt.FORMAT:
            raise _Bad(number, None, f"not a {fmt.FORMAT} file (format {head.get('format')!r})")
        if not isinstance(brand, dict) or not isinstance(brand.get("id"), str):
            raise _Bad(number, None, "the header names no brand")
        if not isinstance(head.get("keys"), list) or set(head) != {"format", "brand", "keys"}:
            raise _Bad(number, None, "the header is not a ledger header")
        self._header = head
        self.report.brand = brand["id"]
        self.report.slug = str(brand.get("slug", ""))

    def _check_signature(self, entry: dict[str, Any], number: int) -> None:
        public = self._keys.get(entry["key"])
        self.report.signatures_checked += 1
        if public is None or not fmt.verify_entry_signature(public, entry):
            raise _Bad(number, entry["seq"], f"signature does not verify with key {entry['key']}")

    def _locate(self, previous: _Previous) -> None:
        """A link or the root broke: is the previous entry the one that changed?"""
        seq = previous.entry["seq"]
        _parse(previous.raw, previous.number, seq, strict=True)
        if not previous.checked:
            self._check_signature(previous.entry, previous.number)

    def entry(self, raw: bytes, number: int) -> None:
        seq = self.report.entries
        strict = self.all_signatures or seq == 0
        e = _parse(raw, number, seq, strict=strict)
        if set(e) != ENTRY_FIELDS:
            missing = sorted(ENTRY_FIELDS - set(e))
            extra = sorted(set(e) - ENTRY_FIELDS)
            what = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"
            raise _Bad(number, seq, f"not a ledger entry ({what})")
        if e["seq"] != seq or isinstance(e["seq"], bool):
            raise _Bad(number, seq, f"seq is {e['seq']!r} where {seq} was expected")
        kind, facts, kid = e["kind"], e["facts"], e["key"]
        if not isinstance(kind, str) or not isinstance(facts, dict) or not isinstance(kid, str):
            raise _Bad(number, seq, "kind, facts or key has the wrong type")
        if not isinstance(e["commitments"], dict) or not isinstance(e["at"], str):
            raise _Bad(number, seq, "commitments or at has the wrong type")
        checked = False
        if seq == 0:
            if kind != fmt.KIND_GENESIS:
                raise _Bad(number, seq, "the first entry does not announce the brand's key")
            self._announce(e, number, previous=None)
            self._check_signature(e, number)
            checked = True
            if e["brand"] != self.report.brand:  # the genesis is signed: the header is wrong
                raise _Bad(1, None, "the header names another brand than the chain")
        if e["v"] != fmt.VERSION or e["brand"] != self.report.brand:
            raise _Bad(number, seq, "belongs to another brand or format version")
        if seq == 0:
            pass
        elif kid != self._current:
            # A key the chain never announced may mean the previous entry (a rotation)
            # was altered: blame it if the link to it is broken.
            if e["prev"] != self._prev_hash and self._previous is not None:
                self._locate(self._previous)
            known = "a retired key" if kid in self._keys else "an unknown key"
            raise _Bad(number, seq, f"signed by {known} {kid}; the key in force is {self._current}")
        elif kind == fmt.KIND_ROTATION:
            self._check_signature(e, number)
            checked = True
            self._announce(e, number, previous=kid)
        elif kind == fmt.KIND_GENESIS:
            raise _Bad(number, seq, "a second genesis entry")
        elif self.all_signatures:
            self._check_signature(e, number)
            checked = True
        if e["prev"] != self._prev_hash:
            if self._previous is not None:
                self._locate(self._previous)
            raise _Bad(number, seq, "prev does not match the hash of the previous entry")
        self._prev_hash = hashlib.sha256(raw).hexdigest()
        self._push(hashlib.sha256(b"\x00" + raw).digest())
        self._previous = _Previous(raw, e, number, checked)
        self.report.entries += 1

    def _announce(self, e: dict[str, Any], number: int, *, previous: str | None) -> None:
        facts = e["facts"]
        try:
            public = fmt.load_public(str(facts.get("public_key", "")))
        except (fmt.FormatError, ValueError):
            raise _Bad(number, e["seq"], "announces a key that is not an Ed25519 key") from None
        kid = fmt.key_id(fmt.public_raw(public))
        if facts.get("key") != kid or (previous is None and e["key"] != kid):
            raise _Bad(number, e["seq"], "the announced key id does not match its public key")
        if previous is not None and facts.get("previous") != previous:
            raise _Bad(number, e["seq"], "the rotation does not name the key it replaces")
        if kid in self._keys:
            raise _Bad(number, e["seq"], f"key {kid} is announced twice")
        self._keys[kid] = public
        self._announced.append(
            {
                "key": kid,
                "public_key": facts["public_key"],
                "algorithm": "Ed25519",
                "from_seq": e["seq"],
            }
        )
        self._current = kid
        self.report.keys.append(kid)

    def _push(self, leaf: bytes) -> None:
        frontier = self._frontier
        carry = leaf
        level = 0
        while level < len(frontier) and frontier[level] is not None:
            carry = hashlib.sha256(b"\x01" + frontier[level] + carry).digest()  # type: ignore[operator]
            frontier[level] = None
            level += 1
        if level == len(frontier):
            frontier.append(carry)
        else:
            frontier[level] = carry

    def _root(self) -> str:
        return merkle.root_of([None if f is None else f.hex() for f in self._frontier])

    def tree_head(self, raw: bytes, number: int) -> None:
        wrapper = _parse(raw, number, None, strict=True)
        head = wrapper.get("tree_head")
        if set(wrapper) != {"tree_head"} or not isinstance(head, dict) or set(head) != HEAD_FIELDS:
            raise _Bad(number, None, "not a tree head")
        public = self._keys.get(str(head["key"]))
        if head["key"] != self._current or public is None:
            raise _Bad(
                number, None, f"the tree head is signed by {head['key']!r}, not the key in force"
            )
        if not fmt.verify_tree_head_signature(public, head):
            raise _Bad(number, None, "the tree head's signature does not verify")
        if head["brand"] != self.report.brand:
            raise _Bad(number, None, "the tree head is another brand's")
        if head["slug"] != self.report.slug:  # the tree head is signed: the header is wrong
            raise _Bad(1, None, "the header's brand slug is not the tree head's")
        if head["size"] != self.report.entries:
            raise _Bad(
                number,
                None,
                f"the tree head covers {head['size']} entries, the file holds {self.report.entries}",
            )
        root = self._root()
        if head["root"] != root:
            if self._previous is not None:
                self._locate(self._previous)
            raise _Bad(number, None, "the Merkle root does not match the entries")
        self.report.root = root
        assert self._header is not None
        if self._header["keys"] != self._announced:
            raise _Bad(1, None, "the header's keys are not the keys the chain announces")
        self._done = True

    # --- the whole file -----------------------------------------------------------------

    def run(self, lines: Iterable[bytes], progress: Callable[[int], None] | None = None) -> Report:
        number = 0
        try:
            for number, line in enumerate(lines, start=1):
                if progress is not None and number % 8192 == 0:
                    progress(number)
                if not line.endswith(b"\n"):
                    raise _Bad(number, None, "the line does not end with a newline (cut short?)")
                raw = line[:-1]
                if self._done:
                    raise _Bad(number, None, "content after the tree head")
                if number == 1:
                    self.header(raw, number)
                elif raw.startswith(b'{"tree_head":'):
                    self.tree_head(raw, number)
                else:
                    self.entry(raw, number)
            if self._header is None:
                raise _Bad(1, None, "the file is empty")
            if not self._done:
                raise _Bad(number, None, "the file ends without a tree head")
        except _Bad as bad:
            self.report.fault = bad.fault
        if progress is not None:
            progress(number)
        return self.report


def verify_lines(
    lines: Iterable[bytes],
    *,
    all_signatures: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    return Verifier(all_signatures=all_signatures).run(lines, progress)


def verify_proof(proof: dict[str, Any], *, trusted_keys: Iterable[str] = ()) -> str | None:
    """Check an inclusion proof file (as `GET .../proofs/{seq}` returns it). Returns None
    when it holds, else what is wrong. The tree head must be signed by one of the proof's
    keys, and, when `trusted_keys` are given (key ids or base64url public keys), by one of
    those."""
    try:
        line = str(proof["entry"]).encode()
        head = proof["tree_head"]
        entry = json.loads(line)
        keys = {k["key"]: fmt.load_public(k["public_key"]) for k in proof["keys"]}
        for k in proof["keys"]:
            if fmt.key_id(fmt.unb64(k["public_key"])) != k["key"]:
                return f"key {k['key']} does not match its public key"
        trusted = set(trusted_keys)
        if (
            trusted
            and not (
                {head["key"]} | {p["public_key"] for p in proof["keys"] if p["key"] == head["key"]}
            )
            & trusted
        ):
            return f"the tree head is signed by {head['key']}, which is not a trusted key"
        public = keys.get(head["key"])
        if public is None or not fmt.verify_tree_head_signature(public, head):
            return "the tree head's signature does not verify"
        if fmt.canonical(entry) != line:
            return "the entry is not in canonical form"
        signer = keys.get(entry.get("key"))
        if signer is None or not fmt.verify_entry_signature(signer, entry):
            return "the entry's signature does not verify"
        seq, size = int(entry["seq"]), int(head["size"])
        if (
            seq != proof.get("seq")
            or size != proof.get("tree_size")
            or entry["brand"] != head["brand"]
        ):
            return "the proof's seq, size or brand do not match its entry and tree head"
        root = merkle.root_from_path(seq, size, merkle.leaf_hash(line), list(proof["path"]))
        if root is None or root != head["root"]:
            return "the audit path does not lead to the tree head's root"
    except (KeyError, TypeError, ValueError, fmt.FormatError) as exc:
        return f"not an inclusion proof ({type(exc).__name__}: {exc})"
    return None
