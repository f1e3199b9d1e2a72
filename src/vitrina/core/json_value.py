"""Free-form JSON objects in requests, bounded in depth so that they can always be sent back.

Responses are serialised with a nesting limit; data stored deeper than that could be
written once and then never read again (every read of it a 500).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

MAX_DEPTH = 16


def _within_depth(value: dict[str, Any]) -> dict[str, Any]:
    # Iterative, so that the check itself cannot run out of stack.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_within_depth)]
