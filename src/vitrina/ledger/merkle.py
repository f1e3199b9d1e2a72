"""RFC 6962 / RFC 9162 Merkle trees: leaf hash SHA-256(0x00 || entry line), interior node
SHA-256(0x01 || left || right), the largest power of two on the left.

The service keeps the right frontier of a brand's tree (the perfect subtrees its size
decomposes into) and stores every perfect subtree's hash as it completes, so that a root
costs O(log n) and an inclusion proof reads O(log n) stored nodes, whatever the size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()

Node = tuple[int, int]  # (level, index): the perfect subtree of leaves [index*2^level, ...)


def leaf_hash(line: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def push(
    frontier: list[str | None], size: int, leaf: bytes
) -> tuple[list[str | None], list[tuple[int, int, str]]]:
    """Append leaf number `size` to a tree whose frontier is given (frontier[level] is the
    hash of the perfect subtree at that level, or None). Returns the new frontier and the
    nodes completed, as (level, index, hex hash), the leaf itself first."""
    frontier = list(frontier)
    made = [(0, size, leaf.hex())]
    carry = leaf
    level = 0
    while level < len(frontier) and frontier[level] is not None:
        left = bytes.fromhex(frontier[level])  # type: ignore[arg-type]
        frontier[level] = None
        carry = node_hash(left, carry)
        level += 1
        made.append((level, ((size + 1) >> level) - 1, carry.hex()))
    if level == len(frontier):
        frontier.append(None)
    frontier[level] = carry.hex()
    return frontier, made


def root_of(frontier: Sequence[str | None]) -> str:
    """The tree's root from its frontier (smallest subtree folded in first, on the right)."""
    root: bytes | None = None
    for value in frontier:
        if value is None:
            continue
        node = bytes.fromhex(value)
        root = node if root is None else node_hash(node, root)
    return EMPTY_ROOT if root is None else root.hex()


def _largest_power_below(n: int) -> int:
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def _range_hash(start: int, end: int, get: Callable[[Node], bytes]) -> bytes:
    """MTH(D[start:end]) from stored perfect subtrees."""
    width = end - start
    if width & (width - 1) == 0 and start % width == 0:
        level = width.bit_length() - 1
        return get((level, start >> level))
    k = _largest_power_below(width)
    return node_hash(_range_hash(start, start + k, get), _range_hash(start + k, end, get))


def _path(m: int, start: int, end: int, get: Callable[[Node], bytes]) -> list[bytes]:
    if end - start <= 1:
        return []
    k = _largest_power_below(end - start)
    if m < start + k:
        return [*_path(m, start, start + k, get), _range_hash(start + k, end, get)]
    return [*_path(m, start + k, end, get), _range_hash(start, start + k, get)]


def nodes_for_proof(index: int, size: int) -> set[Node]:
    """Which stored nodes an inclusion proof of leaf `index` in a tree of `size` reads."""
    wanted: set[Node] = set()

    def record(node: Node) -> bytes:
        wanted.add(node)
        return b"\x00" * 32

    _path(index, 0, size, record)
    return wanted


def inclusion_path(index: int, size: int, nodes: dict[Node, bytes]) -> list[str]:
    """The audit path of leaf `index` in a tree of `size` (RFC 6962 PATH), in hex."""
    return [h.hex() for h in _path(index, 0, size, nodes.__getitem__)]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[str]) -> str | None:
    """RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, or None when the
    path has the wrong length for (index, size)."""
    if index >= size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p_hex in path:
        p = bytes.fromhex(p_hex)
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r.hex() if sn == 0 else None


def root_of_leaves(leaves: Sequence[bytes]) -> str:
    """The root of a whole list of leaf hashes (the verifier's way, O(n))."""
    frontier: list[str | None] = []
    for i, leaf in enumerate(leaves):
        frontier, _ = push(frontier, i, leaf)
    return root_of(frontier)
