"""Typed settings read from VITRINA_* environment variables.

Defaults give an embedded setup: a SQLite file under the data directory, the
in-process broker, and a secret key generated once and stored with 0600 permissions.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class ConfigError(RuntimeError):
    """Settings that cannot work; the message is shown to the operator as is."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VITRINA_", extra="ignore")

    environment: Environment = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    # When the app sits behind TLS, cookies must carry the Secure flag.
    cookie_secure: bool = False
    public_url: str = "http://127.0.0.1:8000"

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # File uploads (digital twins) get their own, larger limit.
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    staff_session_ttl_s: int = Field(default=12 * 3600, ge=60)
    guest_session_ttl_s: int = Field(default=30 * 24 * 3600, ge=60)
    login_rate_per_minute: int = Field(default=10, ge=1)
    public_write_rate_per_minute: int = Field(default=120, ge=1)
    log_level: str = "INFO"
    log_json: bool = True

    # World server
    world_tick_hz: float = Field(default=20.0, gt=0, le=60)
    world_max_frame_bytes: int = Field(default=16 * 1024, ge=256)
    world_room_capacity: int = Field(default=50, ge=1, le=500)
    world_resume_grace_s: float = Field(default=30.0, ge=0)
    world_interest_radius_m: float = Field(default=30.0, gt=0)
    world_max_speed_mps: float = Field(default=8.0, gt=0)
    world_join_timeout_s: float = Field(default=10.0, gt=0)
    # JSON file {"zone": {"min": [x, y, z], "max": [..], "spawn": [..]}} replacing the
    # default zones for every brand that has no layout of its own.
    world_layout_file: Path | None = None
    # STUN/TURN servers for voice calls, handed to clients in `welcome`, as JSON:
    # [{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}].
    world_ice_servers: list[dict[str, str | list[str]]] = Field(default_factory=list)

    # Conversations: inbound email is off until a listen address is set ("127.0.0.1:2525");
    # mail to <brand-slug>@<inbound_mail_domain> becomes a conversation of that brand.
    inbound_smtp_listen: str | None = None
    inbound_mail_domain: str = "support.localhost"
    inbound_mail_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    inbound_attachment_max_bytes: int = Field(default=2 * 1024 * 1024, ge=0)
    # Routing: an advisor whose consoles all stay closed this long is set offline and
    # their conversations go back to the queue; SLA timers are checked every tick.
    console_disconnect_grace_s: float = Field(default=15.0, ge=0)
    routing_tick_s: float = Field(default=5.0, gt=0)
    routing_default_sla_s: int = Field(default=120, ge=5)

    # Outbound mail: without an SMTP host, messages are written to <data_dir>/outbox.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    # Implicit TLS from the first byte (usually port 465), as opposed to STARTTLS.
    smtp_tls: bool = False
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Vitrina <no-reply@localhost>"

    # Customer sign-in. SIWE messages must name the host of public_url and one of these
    # EIP-155 chains; a proof makes the guest session "verified" for verification_ttl_s.
    siwe_chain_ids: list[int] = Field(default_factory=lambda: [1])
    customer_verification_ttl_s: int = Field(default=3600, ge=60)
    email_code_ttl_s: int = Field(default=600, ge=60)
    email_code_max_attempts: int = Field(default=5, ge=1)
    # Outbound CRM webhooks: first retry after this many seconds, doubling each time.
    webhook_retry_base_s: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    # Scheduling: how often the worker looks for due reminders when nothing wakes it.
    scheduling_worker_interval_s: float = Field(default=15.0, gt=0)

    # Commerce: the sandbox payment provider sends its webhooks to this URL when set (e.g.
    # the public URL's /api/commerce/webhooks/sandbox behind a proxy); otherwise it hands
    # them, signed the same way, to this process's webhook handler. Pending orders whose
    # hold on stock has expired are cancelled every commerce_sweep_s.
    commerce_sandbox_webhook_url: str | None = None
    commerce_sandbox_webhook_delay_s: float = Field(default=0.0, ge=0, le=60)
    commerce_sweep_s: float = Field(default=30.0, gt=0)

    # Privacy. The master key wraps every subject's data key; when unset it is generated
    # once under the data directory (0600), like the secret key.
    master_key: SecretStr | None = None
    # Or a command that prints it (a KMS or secret-store client, e.g.
    # "vault kv get -field=key secret/vitrina"), run once at start; its output is the key.
    master_key_command: str | None = None
    # Master keys being rotated away from: they still open the data keys they wrapped
    # until `vitrina privacy rotate-master-key` has re-wrapped every one (JSON list).
    previous_master_keys: list[SecretStr] = Field(default_factory=list)
    # Signals stamped later than the clock skew, or older than the maximum age when they
    # arrive, are refused as forged.
    signal_max_age_s: int = Field(default=3600, ge=1)
    signal_clock_skew_s: float = Field(default=5.0, ge=0)
    # Retention in days per data kind, overriding the defaults: {"signals": 30}.
    retention_days: dict[str, int] = Field(default_factory=dict)
    # How often a running server looks for privacy requests a dead process left behind
    # (or that were filed while no server ran).
    privacy_sweep_s: float = Field(default=60.0, gt=0)
    # Ledger: how often signed tree heads of grown ledgers are published to the anchor
    # (<data dir>/ledger-anchors.jsonl). Unset: hourly, and off in tests; 0: off.
    ledger_anchor_interval_s: float | None = Field(default=None, ge=0)
    # Ledger: how long a node answers inclusion proofs against the tree head it last read
    # before reading it again (an older signed head still verifies; docs/ledger.md).
    ledger_proof_head_max_age_s: float = Field(default=1.0, ge=0, le=60)

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
                raise ValueError(
                    "VITRINA_SECRET_KEY must be set to at least 32 characters in production"
                )
            if self.database_url is None:
                raise ValueError("VITRINA_DATABASE_URL must be set in production")
            no_key = self.master_key is None or len(self.master_key.get_secret_value()) < 32
            if no_key and not self.master_key_command:
                raise ValueError(
                    "VITRINA_MASTER_KEY must be set to at least 32 characters in production"
                    " (or VITRINA_MASTER_KEY_COMMAND to fetch it from a KMS)"
                )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'vitrina.db').resolve()}"

    @property
    def resolved_anchor_interval_s(self) -> float:
        """Seconds between ledger anchors; 0 when anchoring is off."""
        if self.ledger_anchor_interval_s is not None:
            return self.ledger_anchor_interval_s
        return 0.0 if self.environment == "test" else 3600.0

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _load_or_create_secret(self.data_dir / "secret.key")

    @cached_property
    def resolved_master_key(self) -> str:
        if self.master_key is not None:
            return self.master_key.get_secret_value()
        if self.master_key_command:
            return _run_key_command(self.master_key_command)
        return _load_or_create_secret(self.data_dir / "master.key")

    @cached_property
    def resolved_previous_master_keys(self) -> list[str]:
        keys = [k.get_secret_value() for k in self.previous_master_keys]
        previous = self.data_dir / "master.key.previous"
        if self.master_key is None and not self.master_key_command and previous.exists():
            keys += [line for line in _read_private(previous).splitlines() if line.strip()]
        return keys


def _run_key_command(command: str) -> str:
    """The master key printed by an operator's command (a KMS or secret-store client)."""
    try:
        done = subprocess.run(  # noqa: S603 - the operator's own configured command
            shlex.split(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"VITRINA_MASTER_KEY_COMMAND could not run: {exc}") from None
    key = done.stdout.strip()
    if done.returncode != 0 or len(key) < 32:
        raise ConfigError(
            "VITRINA_MASTER_KEY_COMMAND must exit 0 and print a key of at least 32 characters"
            f" (exit {done.returncode})"
        )
    return key


def _read_private(path: Path) -> str:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:o}); run chmod 600 {path}")
    return path.read_text().strip()


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return _read_private(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def get_settings() -> Settings:
    return Settings()
