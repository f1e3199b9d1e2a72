"""The OpenAPI description is a contract: schemathesis generates requests for every
operation, sends them to the app in-process, and checks each answer against it.

The app runs once for the module on a migrated SQLite copy holding the demo (`vitrina
demo`), signed in as the demo administrator; operations a guest may call are also called
as a guest. Bounded by `MAX_EXAMPLES` per operation so the module runs in about two
minutes on two cores; `VITRINA_CONTRACT_EXAMPLES` raises it for a longer hunt.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vitrina.app import VitrinaApp, create_app
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker
from vitrina.demo import DEMO_PASSWORD, DEMO_STAFF, SEEDERS
from vitrina.privacy import keys as privacy_keys

MAX_EXAMPLES = int(os.environ.get("VITRINA_CONTRACT_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@dataclass
class Served:
    app: VitrinaApp
    client: ASGIClient
    staff: dict[str, str] = field(default_factory=dict)
    guest: dict[str, str] = field(default_factory=dict)

    def sign_in_staff(self) -> None:
        email = DEMO_STAFF[0][0]
        resp = self.client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert resp.status_code == 200, resp.text
        self.staff = {"Authorization": f"Bearer {resp.json()['token']}"}

    def start_guest(self) -> None:
        resp = self.client.post("/api/auth/guest", json={"brand_slug": "aurora-motors"})
        assert resp.status_code == 201, resp.text
        body = resp.json()
        self.guest = {
            "Cookie": f"vitrina_guest={body['token']}; vitrina_csrf={body['csrf_token']}",
            "X-CSRF-Token": body["csrf_token"],
        }
        self.client.cookies.clear()


async def _seed(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    sessions = create_sessionmaker(engine, sealer=privacy_keys.sealer(settings))
    try:
        for _name, seeder in SEEDERS:
            async with sessions() as db:
                await seeder(db)
                await db.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    where = tmp_path_factory.mktemp("contract")
    path = where / "vitrina.db"
    source, target = sqlite3.connect(sqlite_template), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    url = f"sqlite+aiosqlite:///{path}"
    settings = Settings(
        environment="test",
        data_dir=where,
        database_url=url,
        redis_url=None,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        log_json=False,
        log_level="WARNING",
        # The fuzzer signs in and writes far more often than a person: the limits
        # would answer 429 to most of its requests and test nothing else.
        login_rate_per_minute=100_000,
        public_write_rate_per_minute=100_000,
    )
    asyncio.run(_seed(settings))
    app = create_app(settings)
    client = ASGIClient(app)
    client.__enter__()  # starts the app's lifespan on schemathesis's event loop
    try:
        served = Served(app=app, client=client)
        served.sign_in_staff()
        served.start_guest()
        yield served
    finally:
        client.__exit__(None, None, None)
        shutdown_lifespans()


def _described_app() -> VitrinaApp:
    """An app built only for its OpenAPI description (the requests go to `served`'s)."""
    return create_app(
        Settings(environment="test", redis_url=None, secret_key="x" * 48, log_level="WARNING")
    )


# Uploads (.glb) and the PDF check take raw bytes.
schemathesis.serializer.alias(["model/gltf-binary", "application/pdf"], "application/octet-stream")
_DESCRIBED = _described_app()
schema = schemathesis.openapi.from_dict(_DESCRIBED.openapi())
schema.app = _DESCRIBED  # in-process calls: the ASGI transport, with `served`'s client


def _admits_guests(case: Any) -> bool:
    access = case.operation.definition.raw.get("x-vitrina-access", "")
    return access in ("public", "guest-or-staff")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_the_openapi_contract(case: Any, served: Served) -> None:
    callers = [served.staff, served.guest] if _admits_guests(case) else [served.staff]
    for headers in callers:
        case.call_and_validate(session=served.client, headers=headers, checks=CHECKS)
    if case.operation.path == "/api/auth/logout":
        served.sign_in_staff()
