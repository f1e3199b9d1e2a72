"""Erased means gone from the disk, while the server runs.

A customer leaves distinctive values in every domain: a guest name, a conversation, a
booking (and its confirmation mail), an email proof, CRM identifiers and a note. The
access export holds them; after the DPO erases the customer, no file of the data
directory (the SQLite database with its -wal and -shm files, the outbox, exports), or a
pg_dump on PostgreSQL, holds any of them in any encoding, nor the wrapped keys that
sealed them.
"""

from __future__ import annotations

import asyncio
import glob
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import Guest, prove_email, run_request
from tests.scheduling.conftest import build_shop, next_weekday, paris
from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.security import Principal, Role
from vitrina.crm import service as crm
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.crm.models import CustomerProfile
from vitrina.identity.models import GuestSession
from vitrina.privacy.models import DataKey

SLUG = "aurora-motors"
NAME = "Zoë Quintavalle-Marsh"
EMAIL = "zoe.quintavalle.7731@example.org"
PHONE = "+33612347731"
PHRASE = "my purple giraffe carburettor rattles 7731"
NOTE = "prefers the teal velvet seats 7731"
BOOKING_NOTE = "bring the saffron umbrella 7731"
SECRETS = (NAME, EMAIL, PHONE, PHRASE, NOTE, BOOKING_NOTE)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"scheduling_worker_interval_s": 0.2})


def encodings(value: str) -> set[bytes]:
    """`value` as it could sit in a file: UTF-8, UTF-16-LE, JSON-escaped (both ways)."""
    forms = {
        value.encode(),
        value.encode("utf-16-le"),
        json.dumps(value)[1:-1].encode(),
        json.dumps(value, ensure_ascii=False)[1:-1].encode(),
    }
    return {f.lower() for f in forms}


def files_of(settings: Settings) -> list[Path]:
    found = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        db = Path(str(url.database))
        found += [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
    return found


def pg_dump(settings: Settings, tmp_path: Path) -> Path:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if not binaries:
        pytest.skip("pg_dump is not installed")
    url = make_url(settings.resolved_database_url).set(drivername="postgresql")
    out = tmp_path / "dump.sql"
    subprocess.run(
        [binaries[-1], "--no-owner", "--file", str(out), url.render_as_string(False)],
        check=True,
    )
    return out


def leaks(paths: list[Path], needles: dict[str, set[bytes]]) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        data = path.read_bytes().lower()
        for name, forms in needles.items():
            if any(form in data for form in forms):
                found.append((name, str(path)))
    return found


async def _guest(app: FastAPI) -> tuple[AsyncClient, str]:
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    resp = await client.post("/api/auth/guest", json={"display_name": NAME})
    assert resp.status_code == 201, resp.text
    client.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
    return client, resp.json()["id"]


async def _mail_written(settings: Settings) -> None:
    for _ in range(100):
        if any((settings.data_dir / "outbox").rglob("*.eml")):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the booking confirmation was never written to the outbox")


async def _leave_traces(app: FastAPI, db: AsyncSession, settings: Settings) -> tuple[str, str]:
    """A guest chats, books and proves their email; staff add a phone and a note."""
    await build_shop(db)
    brand = (await brands.get_by_slug_or_raise(db, slug=SLUG)).id
    await db.commit()
    client, session = await _guest(app)
    guest = Guest(client, session)
    try:
        started = await client.post("/api/conversations", json={"brand": SLUG, "body": PHRASE})
        assert started.status_code == 201, started.text
        booked = await client.post(
            f"/api/brands/{SLUG}/appointments",
            json={
                "type": "advice",
                "start": paris(next_weekday(2), 10).isoformat(),
                "customer": {"email": EMAIL, "name": NAME},
                "notes": BOOKING_NOTE,
            },
        )
        assert booked.status_code == 201, booked.text
    finally:
        await client.aclose()
    customer_id = await prove_email(db, settings, brand, guest, EMAIL)
    profile = await crm.get_or_raise(db, customer_id=customer_id)
    await crm.update(db, bus=None, profile=profile, display_name=NAME)
    await crm.link_identity(
        db, bus=None, profile=profile, identifier=normalise(IdentityKind.PHONE, PHONE)
    )
    staff = Principal(
        kind="staff", session_id="s", display_name="Ava Staff", roles=frozenset({Role.AGENT})
    )
    await crm.add_note(db, principal=staff, profile=profile, body=NOTE)
    await db.commit()
    await _mail_written(settings)
    return brand, customer_id


def _export_text(archive: str) -> str:
    with zipfile.ZipFile(archive) as zf:
        return "\n".join(zf.read(n).decode() for n in zf.namelist())


async def test_an_erased_customer_leaves_nothing_on_disk(
    app: FastAPI, db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    brand, customer_id = await _leave_traces(app, db, settings)
    subject = f"customer:{customer_id}"
    postgres = make_url(settings.resolved_database_url).get_backend_name() == "postgresql"

    # Before the erasure: the export opens everything; the disk holds ciphertext only,
    # apart from the confirmation mail in the outbox (which shows the scan sees files).
    export = await run_request(app, db, settings, brand, subject, "access")
    exported = _export_text(export.archive)
    for value in (NAME, EMAIL, PHONE, PHRASE, NOTE, BOOKING_NOTE):
        assert value in exported or json.dumps(value)[1:-1] in exported, value
    with zipfile.ZipFile(export.archive) as zf:
        sealed_for = {k["sealed_for"] for k in json.loads(zf.read("privacy.keys.json"))}
    assert subject in sealed_for
    assert {s.partition(":")[0] for s in sealed_for} == {
        "customer",
        "guest",
        "conversation",
        "appointment",
    }
    needles = {value: encodings(value) for value in SECRETS}
    before = leaks(files_of(settings), needles)
    assert (EMAIL, str(settings.data_dir / "outbox")) in {
        (name, str(Path(path).parent.parent)) for name, path in before
    }
    assert {path for _, path in before} <= {
        *map(str, (settings.data_dir / "outbox").rglob("*.eml")),
        *map(str, (settings.data_dir / "exports").rglob("*")),
    }
    keys = list((await db.execute(select(DataKey))).scalars())
    wrapped = {k.subject: k.wrapped for k in keys if not k.subject.startswith("system:")}
    assert subject in wrapped and len(wrapped) >= 4  # customer, guest, conversation, booking

    await run_request(app, db, settings, brand, subject, "erasure")

    # The application reads nothing back.
    profile = await db.get(CustomerProfile, customer_id)
    assert profile is not None and profile.display_name == ""
    left = set((await db.execute(select(DataKey.subject))).scalars())
    assert not (left & set(wrapped)), "every key that sealed the customer's data is gone"
    assert all(
        s.display_name in ("", "Guest") for s in (await db.execute(select(GuestSession))).scalars()
    )

    # And the disk holds none of it, nor the wrapped keys, with the server still running.
    needles |= {f"key of {s}": {w.lower(), w.hex().encode()} for s, w in wrapped.items()}
    files = files_of(settings)
    if postgres:
        files.append(pg_dump(settings, tmp_path))
    assert leaks(files, needles) == []
