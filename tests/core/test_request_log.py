"""One structured line per HTTP request: enough to follow a request, nothing to abuse."""

from __future__ import annotations

import json

from httpx import ASGITransport, AsyncClient

from tests.logs import printed
from vitrina.app import create_app
from vitrina.core.config import Settings


async def test_each_request_is_logged_by_route_and_outcome_without_its_path_or_query(
    settings: Settings,
) -> None:
    with printed() as out:
        app = create_app(settings.model_copy(update={"log_level": "INFO", "log_json": True}))
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
        ):
            missing = "/api/conversations/0b6f9a52-0b8e-4a39-9d1c-1e6b1c2b7e4f"
            answer = await client.get(f"{missing}?token=s3cr3t-t0ken&email=mia@example.com")
            await client.get("/healthz")
            kept = await client.get("/api/brands", headers={"x-request-id": "edge-7f3a9c21"})
            forged = await client.get("/api/brands", headers={"x-request-id": "x\nlevel=error"})
            # Paths carry secrets and personal data too: a rating link's token, a subject.
            await client.get("/rate/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA")
            subject = "/api/privacy/dpo/brands/aurora-motors/subjects/mia@example.com/consents"
            await client.get(subject)
            await client.get("/no/such/page/mia@example.com")
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) == 6  # probes stay out
    assert requests[0]["request_id"] == answer.headers["x-request-id"]
    assert len(answer.headers["x-request-id"]) == 16
    assert requests[1]["request_id"] == kept.headers["x-request-id"] == "edge-7f3a9c21"
    assert requests[2]["request_id"] == forged.headers["x-request-id"] != "x\nlevel=error"
    assert requests[0]["method"] == "GET"
    assert set(requests[0]) == {
        "method",
        "route",
        "status",
        "ms",
        "request_id",
        "event",
        "level",
        "timestamp",
    }
    assert requests[0]["route"] == "/api/conversations/{conversation_id}"
    assert requests[0]["status"] == 401
    assert isinstance(requests[0]["ms"], float)
    assert [r["route"] for r in requests[3:]] == [
        "/rate/{token}",
        "/api/privacy/dpo/brands/{slug}/subjects/{subject}/consents",
        "unmatched",
    ]
    printed_text = out.getvalue()
    assert "s3cr3t" not in printed_text and "mia@" not in printed_text
    assert "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA" not in printed_text
    assert "/api/conversations/0b6f9a52" not in printed_text
