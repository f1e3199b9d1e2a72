"""The public export verified offline: a clean file passes; one flipped byte anywhere is
found and located; the command's exit codes and messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.ledger import service as ledger
from vitrina.ledger import verify

VITRINA = [sys.executable, "-m", "vitrina"]


async def _fill(db: AsyncSession, brand: Brand, n: int = 10) -> None:
    for i in range(n):
        await ledger.append(
            db,
            brand=brand.slug,
            kind="order.paid",
            facts={
                "order": f"ord_{i}",
                "amount": f"{100 + i}.00",
                "currency": "EUR",
                "gift": i % 2 == 0,
            },
            subjects={"owner": f"cust-{i % 3}"} if i % 2 else None,
        )
        if i == 5:
            await ledger.rotate_key(db, brand=brand.slug)
    await db.commit()


@pytest.fixture
async def exported(client: AsyncClient, db: AsyncSession, brand: Brand) -> bytes:
    await _fill(db, brand)
    answer = await client.get(f"/api/ledger/brands/{brand.slug}/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    return answer.content


def _verify(data: bytes, *, fast: bool) -> verify.Report:
    return verify.verify_lines(io.BytesIO(data), all_signatures=not fast)


async def test_a_clean_export_verifies(exported: bytes, brand: Brand) -> None:
    lines = exported.splitlines()
    assert len(lines) == 1 + 12 + 1  # header, genesis + 10 entries + rotation, tree head
    for fast in (False, True):
        report = _verify(exported, fast=fast)
        assert report.ok, report.fault
        assert report.entries == 12 and len(report.keys) == 2 and report.slug == brand.slug
    header = json.loads(lines[0])
    assert [k["from_seq"] for k in header["keys"]] == [0, 7]
    rotation = json.loads(lines[8])
    assert rotation["kind"] == "ledger.key_rotated" and rotation["key"] == header["keys"][0]["key"]
    assert json.loads(lines[9])["key"] == header["keys"][1]["key"]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_one_flipped_byte_is_found_and_located(exported: bytes, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(exported) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="xor")
    flipped = bytearray(exported)
    flipped[pos] ^= mask
    line = exported.count(b"\n", 0, pos) + 1
    for fast in (False, True):
        report = _verify(bytes(flipped), fast=fast)
        assert report.fault is not None, f"byte {pos} ^ {mask} went unnoticed"
        assert report.fault.line == line, (str(report.fault), pos, mask, fast)


async def test_reordered_dropped_and_foreign_entries(exported: bytes) -> None:
    lines = exported.splitlines(keepends=True)
    swapped = b"".join([*lines[:3], lines[4], lines[3], *lines[5:]])
    assert (
        str(_verify(swapped, fast=False).fault) == "line 4 (seq 2): seq is 3 where 2 was expected"
    )
    dropped = b"".join([*lines[:3], *lines[4:]])
    assert _verify(dropped, fast=True).fault.line == 4  # type: ignore[union-attr]
    truncated = b"".join(lines[:-1])
    assert "ends without a tree head" in str(_verify(truncated, fast=True).fault)
    # an entry re-signed by the retired key after the rotation
    later = json.loads(lines[10])
    later["key"] = json.loads(lines[0])["keys"][0]["key"]
    forged = b"".join(
        [
            *lines[:10],
            json.dumps(later, sort_keys=True, separators=(",", ":")).encode() + b"\n",
            *lines[11:],
        ]
    )
    assert "signed by a retired key" in str(_verify(forged, fast=True).fault)


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VITRINA_DATA_DIR": str(tmp_path), "VITRINA_LOG_JSON": "false"}
    return subprocess.run(
        [*VITRINA, "ledger", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_the_command_exit_codes_and_messages(exported: bytes, tmp_path: Path) -> None:
    good = tmp_path / "ledger.jsonl"
    good.write_bytes(exported)
    out = _cli(["verify", str(good)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout.startswith("ok: aurora-motors: 12 entries") and "every signature" in out.stdout
    )
    first_key = json.loads(exported.splitlines()[0])["keys"][0]["key"]
    assert (
        _cli(["verify", "--fast", "--trust", first_key, "-q", str(good)], tmp_path).returncode == 0
    )
    assert _cli(["verify", "--trust", "0123456789abcdef", str(good)], tmp_path).returncode == 1

    lines = exported.splitlines(keepends=True)
    entry = json.loads(lines[5])
    entry["facts"]["amount"] = "9999.00"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b"".join(
            [
                *lines[:5],
                json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\n",
                *lines[6:],
            ]
        )
    )
    out = _cli(["verify", str(bad)], tmp_path)
    assert out.returncode == 1
    assert (
        out.stderr.strip()
        == "tampered: bad.jsonl: line 6 (seq 4): signature does not verify with key " + first_key
    )
    out = _cli(["verify", "--fast", str(bad)], tmp_path)
    assert out.returncode == 1 and "line 6 (seq 4): signature does not verify" in out.stderr


async def test_proof_files_verify_offline(
    client: AsyncClient, db: AsyncSession, brand: Brand, tmp_path: Path
) -> None:
    await _fill(db, brand, n=6)
    answer = await client.get(f"/api/ledger/brands/{brand.slug}/proofs/3")
    assert answer.status_code == 200
    proof = answer.json()
    assert verify.verify_proof(proof) is None
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    out = _cli(["verify-proof", str(path)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"ok: entry 3 is in the ledger of {brand.slug}")
    proof["entry"] = proof["entry"].replace('"amount":"102.00"', '"amount":"104.00"')
    assert verify.verify_proof(proof) == "the entry's signature does not verify"
    path.write_text(json.dumps(proof))
    out = _cli(["verify-proof", str(path)], tmp_path)
    assert out.returncode == 1 and "the entry's signature does not verify" in out.stderr


async def test_the_by_hand_recipe_in_the_docs_verifies_an_export(
    exported: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ledger.md").read_text()
    recipe = doc.split("### By hand", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.jsonl").write_bytes(exported)
    exec(compile(recipe, "docs/ledger.md", "exec"), {})  # noqa: S102 - our own documentation
    lines = exported.splitlines(keepends=True)
    (tmp_path / "ledger.jsonl").write_bytes(
        b"".join([*lines[:4], lines[4].replace(b"ord_", b"ord-"), *lines[5:]])
    )
    with pytest.raises((AssertionError, InvalidSignature)):
        exec(compile(recipe, "docs/ledger.md", "exec"), {})  # noqa: S102


def test_the_rotate_key_command(tmp_path: Path) -> None:
    import asyncio

    from vitrina.brands.demo import ensure_demo_brand
    from vitrina.core.config import Settings
    from vitrina.core.db import create_engine, create_sessionmaker
    from vitrina.migrations import runner
    from vitrina.privacy import keys

    settings = Settings(environment="test", data_dir=tmp_path)
    url = settings.resolved_database_url
    runner.upgrade(url)

    async def seed() -> None:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine, sealer=keys.sealer(settings))() as db:
                made, _ = await ensure_demo_brand(db)
                await ledger.append(db, brand=made.slug, kind="order.paid", facts={"order": "o1"})
                await db.commit()
        finally:
            await engine.dispose()

    asyncio.run(seed())
    env = {**os.environ, "VITRINA_DATA_DIR": str(tmp_path), "VITRINA_LOG_JSON": "false"}
    env.pop("VITRINA_DATABASE_URL", None)
    out = subprocess.run(
        [*VITRINA, "ledger", "rotate-key", "aurora-motors"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("rotated: entry 2 announces key ")
    missing = subprocess.run(
        [*VITRINA, "ledger", "rotate-key", "no-such-brand"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 1 and "No brand 'no-such-brand'" in missing.stderr
