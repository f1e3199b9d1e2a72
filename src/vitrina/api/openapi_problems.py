"""The error answers each operation can give, written into the OpenAPI description.

FastAPI documents a success and a JSON 422; the server also answers with problem+json
(RFC 9457) for the rules every route shares. Which of them apply follows from what the
operation is: its access rule (401, 403), whether it names something by id or brand (404),
whether it writes (409 on a lost race, 429 where writes are rate-limited, 413 and 415 for
a body), and that every API operation may meet a busy database (503). Operations that
answer an error of their own shape (the readiness probe) declare it on their route.
"""

from __future__ import annotations

from typing import Any

from vitrina.core.errors import PROBLEM_JSON

_REF = "#/components/schemas/Problem"
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable for clients.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For 422: one entry per invalid field.",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
_DESCRIPTIONS = {
    400: "The request cannot be carried out as it stands (the `code` says why)",
    401: "No valid session, token or signature",
    403: "The caller may not do this, or not for this brand; or a cookie write without CSRF",
    404: "Nothing by that id or slug that the caller may see",
    409: "A conflict with the current state or with a concurrent change",
    413: "The body is larger than the server accepts",
    415: "The body is not of a media type this operation accepts",
    422: "Invalid input: a field, a query parameter, a NUL character, a date outside 1900-2200",
    429: "Too many requests; see Retry-After",
    503: "The database or a service is busy or unavailable; see Retry-After",
}
_WRITES = {"post", "put", "patch", "delete"}


def _statuses(path: str, method: str, op: dict[str, Any], access: str) -> set[int]:
    api = path.startswith("/api/")
    has_body = "requestBody" in op
    has_input = has_body or bool(op.get("parameters"))
    public = access == "public"
    found: set[int] = set()
    if api:
        found |= {400, 404, 503}
    if has_input:
        found.add(422)
    if not public or (api and method in _WRITES):
        # Public writes check a signature or credentials of their own (sign-in, bridges),
        # and a cookie write must carry its CSRF token.
        found |= {401, 403}
    if method in _WRITES:
        found |= {409, 429}
    if has_body:
        found |= {413, 415}
    return found


def document_problems(spec: dict[str, Any], access: dict[tuple[str, str], str]) -> None:
    """Add the problem+json answers to every operation of `spec` (in place)."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": _REF}}}
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            rule = access.get((method.upper(), path), "")
            responses = op.setdefault("responses", {})
            for status in sorted(_statuses(path, method, op, rule)):
                key = str(status)
                if key == "422" or key not in responses:
                    responses[key] = {"description": _DESCRIPTIONS[status], "content": content}
            for key, response in responses.items():
                # Errors a route declares itself (with its own description) are problems too.
                if key.startswith(("4", "5")) and not response.get("content"):
                    response["content"] = content
    spec["components"]["schemas"].pop("HTTPValidationError", None)
    spec["components"]["schemas"].pop("ValidationError", None)
