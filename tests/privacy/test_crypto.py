"""Envelope encryption: per-subject keys, binding, caching, and shredding on erasure."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.config import ConfigError, Settings
from vitrina.core.crypto import (
    INDEX_SUBJECT,
    CryptoError,
    Keyring,
    SubjectErased,
    derive_master_key,
)
from vitrina.privacy import keys
from vitrina.privacy.models import DataKey
from vitrina.services import services_of

ALICE = "customer:alice-0001"
BOB = "customer:bob-0002"


async def test_a_sealed_value_opens_only_for_its_subject(
    db: AsyncSession, settings: Settings
) -> None:
    token = await keys.encrypt_for(db, settings, subject=ALICE, value="alice@example.com")
    assert "alice" not in token
    assert await keys.decrypt_for(db, settings, subject=ALICE, token=token) == "alice@example.com"
    await keys.encrypt_for(db, settings, subject=BOB, value="x")
    with pytest.raises(CryptoError):
        await keys.decrypt_for(db, settings, subject=BOB, token=token)


async def test_same_value_seals_differently_and_tampering_is_detected(
    db: AsyncSession, settings: Settings
) -> None:
    a = await keys.encrypt_for(db, settings, subject=ALICE, value="same")
    b = await keys.encrypt_for(db, settings, subject=ALICE, value="same")
    assert a != b
    flipped = a[:-2] + ("A" if a[-2] != "A" else "B") + a[-1]
    with pytest.raises(CryptoError):
        await keys.decrypt_for(db, settings, subject=ALICE, token=flipped)
    with pytest.raises(CryptoError):
        await keys.decrypt_for(db, settings, subject=ALICE, token="plain text")


async def test_one_wrapped_key_per_subject_stored_never_in_clear(
    db: AsyncSession, settings: Settings
) -> None:
    for i in range(5):
        await keys.encrypt_for(db, settings, subject=ALICE, value=f"v{i}")
    await db.commit()
    rows = list(
        (await db.execute(select(DataKey).where(DataKey.subject != INDEX_SUBJECT))).scalars()
    )
    assert [r.subject for r in rows] == [ALICE]
    assert len(rows[0].wrapped) == 12 + 32 + 16  # nonce, key, tag: wrapped, not raw


async def test_keys_survive_a_new_session_and_need_the_same_master_key(
    app: object, db: AsyncSession, settings: Settings
) -> None:
    token = await keys.encrypt_for(db, settings, subject=ALICE, value="kept")
    await db.commit()
    sessions = services_of(app).sessions  # type: ignore[attr-defined]
    async with sessions() as fresh:
        assert await keys.decrypt_for(fresh, settings, subject=ALICE, token=token) == "kept"
    other = Keyring(
        derive_master_key("another master key of at least 32 chars"), keys.TableKeyStore()
    )
    async with sessions() as fresh:
        with pytest.raises(CryptoError):
            await other.decrypt(fresh, ALICE, token)


async def test_shredding_makes_every_ciphertext_unreadable_and_blocks_new_keys(
    db: AsyncSession, settings: Settings
) -> None:
    tokens = [
        await keys.encrypt_for(db, settings, subject=ALICE, value=f"secret {i}") for i in range(3)
    ]
    bob = await keys.encrypt_for(db, settings, subject=BOB, value="bob stays")
    await db.commit()
    assert await keys.shred(db, subject=ALICE, request_id=None)
    await db.commit()
    for token in tokens:
        assert await keys.decrypt_for(db, settings, subject=ALICE, token=token) is None
    with pytest.raises(SubjectErased):
        await keys.encrypt_for(db, settings, subject=ALICE, value="again")
    assert await keys.decrypt_for(db, settings, subject=BOB, token=bob) == "bob stays"
    count = await db.execute(
        select(func.count()).select_from(DataKey).where(DataKey.subject != INDEX_SUBJECT)
    )
    assert count.scalar_one() == 1


def test_generated_master_key_is_private_and_stable(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_master_key
    path = tmp_path / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path).resolved_master_key == first
    assert first != Settings(data_dir=tmp_path).resolved_secret_key


def test_production_refuses_a_missing_master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_ENVIRONMENT", "production")
    monkeypatch.setenv("VITRINA_DATABASE_URL", "postgresql+asyncpg://db/vitrina")
    monkeypatch.setenv("VITRINA_SECRET_KEY", "x" * 40)
    with pytest.raises(ValidationError, match="VITRINA_MASTER_KEY"):
        Settings()
    monkeypatch.setenv("VITRINA_MASTER_KEY", "m" * 40)
    assert Settings().master_key is not None


async def test_a_transaction_unwraps_a_subject_key_once(
    app: object, db: AsyncSession, settings: Settings
) -> None:
    from sqlalchemy import event

    tokens = [await keys.encrypt_for(db, settings, subject=ALICE, value=f"v{i}") for i in range(3)]
    await db.commit()
    loads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM privacy_data_key" in statement:
            loads.append(statement)

    engine = services_of(app).engine.sync_engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for token in tokens * 10:
            await keys.decrypt_for(db, settings, subject=ALICE, token=token)
        assert len(loads) == 1
        await db.commit()  # a new transaction reads the key again
        await keys.decrypt_for(db, settings, subject=ALICE, token=tokens[0])
        assert len(loads) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_master_key_can_come_from_a_kms_command(tmp_path: Path) -> None:
    secret = "k" * 40
    settings = Settings(data_dir=tmp_path, master_key_command=f"printf {secret}")
    assert settings.resolved_master_key == secret
    assert not (tmp_path / "master.key").exists()
    with pytest.raises(ConfigError, match="MASTER_KEY_COMMAND"):
        _ = Settings(data_dir=tmp_path, master_key_command="printf short").resolved_master_key
    with pytest.raises(ConfigError, match="MASTER_KEY_COMMAND"):
        _ = Settings(data_dir=tmp_path, master_key_command="false").resolved_master_key


def test_production_accepts_a_kms_command_for_the_master_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VITRINA_ENVIRONMENT", "production")
    monkeypatch.setenv("VITRINA_DATABASE_URL", "postgresql+asyncpg://db/vitrina")
    monkeypatch.setenv("VITRINA_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("VITRINA_MASTER_KEY_COMMAND", "vault kv get -field=key secret/vitrina")
    assert Settings().master_key_command is not None
