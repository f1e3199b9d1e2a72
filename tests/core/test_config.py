from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from vitrina.core.config import ConfigError, Settings


def test_embedded_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'vitrina.db'}"
    assert settings.redis_url is None


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path).resolved_secret_key == first


def test_a_world_readable_secret_is_refused(tmp_path: Path) -> None:
    Settings(data_dir=tmp_path).resolved_secret_key  # noqa: B018 - creates the file
    (tmp_path / "secret.key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        Settings(data_dir=tmp_path).resolved_secret_key  # noqa: B018


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_ENVIRONMENT", "production")
    monkeypatch.setenv("VITRINA_DATABASE_URL", "postgresql+asyncpg://db/vitrina")
    with pytest.raises(ValidationError, match="VITRINA_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("VITRINA_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings()
    monkeypatch.setenv("VITRINA_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("VITRINA_MASTER_KEY", "m" * 40)
    assert Settings().environment == "production"


def test_env_vars_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VITRINA_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("VITRINA_MAX_BODY_BYTES", "4096")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.max_body_bytes == 4096
