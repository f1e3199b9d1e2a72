"""The `vitrina` command as an operator runs it: a real process, one-line errors."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.privacy.test_erased_from_disk import encodings, leaks

VITRINA = [sys.executable, "-m", "vitrina"]


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "VITRINA_DATA_DIR": str(data_dir), "VITRINA_LOG_JSON": "false", **env}
    full_env.pop("VITRINA_DATABASE_URL", None)
    return subprocess.run(
        [*VITRINA, *args], capture_output=True, text=True, env=full_env, timeout=120, check=False
    )


def test_version(tmp_path: Path) -> None:
    out = run(["--version"], tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("vitrina ")


def test_migrate_demo_and_create_user(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    first = run(["demo"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Aurora Motors" in first.stdout
    assert "created" in first.stdout
    second = run(["demo"], tmp_path)
    assert second.returncode == 0
    assert "up to date" in second.stdout
    unscoped = run(
        ["admin", "create-user", "--email", "Ops@Example.com", "--name", "Ops", "--role", "admin"],
        tmp_path,
        VITRINA_NEW_USER_PASSWORD="a long enough password",
    )
    assert unscoped.returncode == 1
    assert unscoped.stderr.strip() == "error: A staff account must serve at least one brand."
    made = run(
        [
            "admin",
            "create-user",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops",
            "--role",
            "superadmin",
        ],
        tmp_path,
        VITRINA_NEW_USER_PASSWORD="a long enough password",
    )
    assert made.returncode == 0, made.stderr
    assert "created ops@example.com" in made.stdout
    brand_admin = run(
        [
            "admin",
            "create-user",
            "--email",
            "lea@example.com",
            "--name",
            "Lea",
            "--role",
            "admin",
            "--brand",
            "aurora-motors",
        ],
        tmp_path,
        VITRINA_NEW_USER_PASSWORD="a long enough password",
    )
    assert brand_admin.returncode == 0, brand_admin.stderr
    again = run(
        [
            "admin",
            "create-user",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--role",
            "admin",
            "--brand",
            "aurora-motors",
        ],
        tmp_path,
        VITRINA_NEW_USER_PASSWORD="a long enough password",
    )
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "error: A staff user with email ops@example.com already exists."
    ]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["admin", "create-user", "--email", "x@example.com", "--name", "X", "--role", "king"],
            {"VITRINA_NEW_USER_PASSWORD": "long enough pass"},
            "error: invalid roles.0",
        ),
        (
            ["admin", "create-user", "--email", "x@example.com", "--name", "X", "--role", "agent"],
            {"VITRINA_NEW_USER_PASSWORD": "short"},
            "error: invalid password",
        ),
        (
            ["migrate"],
            {"VITRINA_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"},
            "error:",
        ),
        (["serve", "--port", "8123"], {}, "run `vitrina migrate` first"),
    ],
)
def test_errors_are_one_clear_line(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    full_env = {**os.environ, "VITRINA_DATA_DIR": str(tmp_path), **env}
    if "VITRINA_DATABASE_URL" not in env:
        full_env.pop("VITRINA_DATABASE_URL", None)
    out = subprocess.run(
        [*VITRINA, *args], capture_output=True, text=True, env=full_env, timeout=120, check=False
    )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(message) or message in lines[0]
    assert "Traceback" not in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[str]
    stderr: str = ""  # filled in once the server has stopped
    stdout: str = ""


@contextmanager
def serving(tmp_path: Path, **extra_env: str) -> Iterator[Server]:
    """`vitrina serve` in its own process, ready to answer; stopped on leaving."""
    assert run(["migrate"], tmp_path).returncode == 0
    port = _free_port()
    # Without the virtual agent: its models would keep /readyz at 503 while they warm up.
    env = {
        **os.environ,
        "VITRINA_DATA_DIR": str(tmp_path),
        "VITRINA_LOG_JSON": "true",
        "VITRINA_BOT_ENABLED": "false",
        **extra_env,
    }
    env.pop("VITRINA_DATABASE_URL", None)
    proc = subprocess.Popen(
        [*VITRINA, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", proc)
    base = server.base
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = httpx.get(f"{base}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert resp.status_code == 200
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
        server.stdout, server.stderr = proc.communicate(timeout=20)


def test_serve_answers_on_the_given_port(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        assert httpx.get(f"{server.base}/docs", timeout=5).status_code == 200
    started = [line for line in server.stderr.splitlines() if '"event": "started"' in line]
    assert started, "the server logs a structured start line"


def test_serve_at_debug_prints_no_token_from_a_socket_url(tmp_path: Path) -> None:
    """uvicorn logs every WebSocket handshake with its query string, and the sockets take
    their session token as `?token=`."""
    token = "Zk3xQ9fLmA2pR7sTq8WvY1bN4cD6eF0gH5jK"
    with serving(tmp_path, VITRINA_LOG_LEVEL="DEBUG") as server:
        socket_url = server.base.replace("http://", "ws://") + f"/ws/console?token={token}"
        with connect(socket_url) as console, contextlib.suppress(ConnectionClosed):
            console.recv(timeout=5)  # refused: no such session
        assert httpx.get(f"{server.base}/api/auth/me?token={token}", timeout=5).status_code == 401
    printed = server.stdout + server.stderr
    assert '"WebSocket /ws/console?token=[redacted]" [accepted]' in printed
    assert '"route": "/api/auth/me"' in printed  # the request line names the route
    assert token not in printed


def test_a_deeply_nested_body_is_refused_and_the_server_lives_on(tmp_path: Path) -> None:
    """200 KB of "[" once crashed the process: a library had raised the recursion limit."""
    with serving(tmp_path) as server:
        resp = httpx.post(
            f"{server.base}/api/auth/login",
            content=b"[" * 200_000,
            headers={"content-type": "application/json", "origin": server.base},
            timeout=10,
        )
        assert 400 <= resp.status_code < 500, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert server.proc.poll() is None
        assert httpx.get(f"{server.base}/healthz", timeout=5).status_code == 200


def test_a_running_server_keeps_no_trace_of_an_erased_guest(tmp_path: Path) -> None:
    """The auditor's check on a fresh install: a guest with a distinctive name chats, asks
    for erasure, and while the server still runs no file of the data directory (the
    database, its write-ahead log) holds the name or the phrase; the master key is a
    private file of the data directory."""
    name, phrase = "Ottoline Vàsquez-Brightwater", "the cerulean walrus ate my invoice 4471"
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["demo"], tmp_path).returncode == 0
    with serving(tmp_path) as server, httpx.Client(base_url=server.base, timeout=10) as http:
        guest = http.post("/api/auth/guest", json={"display_name": name})
        assert guest.status_code == 201, guest.text
        http.headers.update({"X-CSRF-Token": guest.json()["csrf_token"], "Origin": server.base})
        said = http.post(
            "/api/conversations",
            json={"brand": "aurora-motors", "body": phrase},
        )
        assert said.status_code == 201, said.text
        key = tmp_path / "master.key"
        assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
        needles = {value: encodings(value) for value in (name, phrase)}
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert leaks(files, needles) == [], "stored in clear before any erasure"

        filed = http.post("/api/privacy/brands/aurora-motors/requests", json={"kind": "erasure"})
        assert filed.status_code == 202, filed.text
        for _ in range(200):
            status = http.get(f"/api/privacy/requests/{filed.json()['id']}").json()["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert status == "done"
        assert server.proc.poll() is None
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any(p.name == "vitrina.db-wal" for p in files)
        assert leaks(files, needles) == []
