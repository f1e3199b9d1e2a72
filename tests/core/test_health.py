from __future__ import annotations

from httpx import AsyncClient

from vitrina.services import services_of


async def test_health_ready_and_metrics(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "warm_up": "ok"}
    await client.get("/api/brands")
    metrics = await client.get("/metrics")
    assert "vitrina_http_requests_total" in metrics.text


async def test_security_headers(client: AsyncClient) -> None:
    resp = await client.get("/")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert resp.headers["x-content-type-options"] == "nosniff"


async def test_not_ready_while_start_up_work_runs(app, client: AsyncClient) -> None:  # type: ignore[no-untyped-def]
    services_of(app).warming.add("bot")
    resp = await client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["warm_up"] == "in progress: bot"
    services_of(app).warming.discard("bot")
    assert (await client.get("/readyz")).status_code == 200


async def test_the_browser_finds_an_icon(client: AsyncClient) -> None:
    for path in ("/favicon.ico", "/favicon.svg"):
        icon = await client.get(path)
        assert icon.status_code == 200, path
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.startswith("<svg")
