from __future__ import annotations

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from vitrina.api.middleware import BodyLimitMiddleware


async def echo_size(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


def _client() -> AsyncClient:
    inner = Starlette(
        routes=[
            Route("/json", echo_size, methods=["POST"]),
            Route("/upload", echo_size, methods=["POST"]),
        ]
    )
    app = BodyLimitMiddleware(
        inner, max_bytes=1024, upload_paths=("/upload",), upload_max_bytes=8192
    )
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://t")


async def test_uploads_get_their_own_limit() -> None:
    async with _client() as client:
        assert (await client.post("/upload", content=b"x" * 5000)).json() == {"size": 5000}
        too_big = await client.post("/upload", content=b"x" * 9000)
        assert too_big.status_code == 413
        assert "8192" in too_big.json()["detail"]
        assert (await client.post("/json", content=b"x" * 5000)).status_code == 413


async def test_streamed_bodies_without_length_are_cut_off(client: AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"email": "a@example.com", "display_name": "'
        for _ in range(3000):
            yield b"x" * 1024
        yield b'"}'

    resp = await client.post(
        "/api/auth/guest", content=chunks(), headers={"content-type": "application/json"}
    )
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "payload_too_large"
