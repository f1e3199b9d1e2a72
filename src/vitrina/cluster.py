"""A whole deployment on one machine: PostgreSQL, Redis, N app nodes behind HAProxy.

`vitrina cluster up` (and `make cluster`) starts, in order: a PostgreSQL cluster of its
own, a Redis server, the schema migrations and the demo seed (once), N `vitrina serve`
processes on consecutive ports, and HAProxy in front of them with WebSocket upgrade,
round-robin routing without stickiness and active health checks on `/readyz`. It waits
until every node is ready and the proxy answers, prints the URL, and stops everything in
reverse order on Ctrl-C, SIGTERM or `vitrina cluster down`.

Everything lives under one directory (`var/cluster` by default): the database files, the
proxy's configuration, the keys the nodes share and one log per process. The same
`Cluster` class drives the fault tests (tests/faults), which kill and restart its parts.

This module uses no domain: it only starts processes, including `vitrina` itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

STOP_TIMEOUT_S = 15.0


class ClusterError(RuntimeError):
    """A part of the cluster could not start; the message says which, in one line."""


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if not found:
        raise ClusterError("PostgreSQL is not installed (run scripts/system-deps.sh)")
    return found[-1].parent


def _need(program: str) -> str:
    path = shutil.which(program) or (
        f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
    )
    if path is None:
        raise ClusterError(f"{program} is not installed (run scripts/system-deps.sh)")
    return path


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), 0.2):
        return True
    return False


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll `check` until true; the seconds it took. Raises ClusterError after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise ClusterError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


@dataclass
class Cluster:
    """The processes of one cluster; `start()` then `stop()` (or use it as a context)."""

    root: Path
    nodes: int = 2
    proxy_port: int = 8080
    node_base_port: int = 8101
    pg_port: int = 55490
    redis_port: int = 56490
    # PostgreSQL refuses to run as root: as root its files go where the postgres user can
    # reach them (default: <root>/pg, whose parents must then be traversable by others).
    pg_dir: Path | None = None
    seed_demo: bool = True
    environment: str = "development"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Health-check period of the proxy, in milliseconds.
    check_interval_ms: int = 1000
    say: Callable[[str], None] = lambda _line: None

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.logs = self.root / "logs"
        self.data_dir = self.root / "data"
        self.pg_data = (self.pg_dir or self.root / "pg").resolve()
        self.redis_proc: subprocess.Popen[bytes] | None = None
        self.proxy_proc: subprocess.Popen[bytes] | None = None
        self.node_procs: dict[int, subprocess.Popen[bytes]] = {}
        self._pg_started = False
        self._as_pg: list[str] = []
        if os.geteuid() == 0:
            self._as_pg = ["runuser", "-u", "postgres", "--"]

    # --- addresses -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def node_port(self, index: int) -> int:
        return self.node_base_port + index

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.node_port(index)}"

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://vitrina@127.0.0.1:{self.pg_port}/vitrina"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    # --- the whole -------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, progress: Callable[[str], None] | None = None) -> None:
        step = progress or self.say
        for d in (self.root, self.logs, self.data_dir):
            d.mkdir(parents=True, exist_ok=True)
        (self.root / "cluster.json").write_text(json.dumps(self.describe(), indent=2))
        try:
            step("Starting PostgreSQL")
            self.start_postgres()
            step("Starting Redis")
            self.start_redis()
            step("Migrating the database")
            self.vitrina("migrate")
            if self.seed_demo and not (self.root / "seeded").exists():
                step("Seeding the demo")
                self.vitrina("demo")
                (self.root / "seeded").touch()
            step(f"Starting {self.nodes} app nodes")
            for index in range(self.nodes):
                self.start_node(index)
            for index in range(self.nodes):
                self.wait_node_ready(index)
            step("Starting the proxy")
            self.start_proxy()
            self.wait_proxy_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop whatever runs, the proxy first and the database last; never raises."""
        if self.proxy_proc is not None:
            _terminate(self.proxy_proc, signal.SIGUSR1)  # HAProxy's graceful stop
            self.proxy_proc = None
        nodes = list(self.node_procs.values())
        self.node_procs.clear()
        for proc in nodes:  # all at once: each takes its time to finish its requests
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        for proc in nodes:
            _terminate(proc)
        self.stop_redis()
        self.stop_postgres()
        info = self.root / "cluster.json"
        with contextlib.suppress(OSError, ValueError):
            if json.loads(info.read_text()).get("pid") == os.getpid():
                info.unlink()

    def describe(self) -> dict[str, object]:
        return {
            "url": self.url,
            "nodes": [self.node_url(i) for i in range(self.nodes)],
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "pid": os.getpid(),
        }

    # --- PostgreSQL ------------------------------------------------------------------

    def _pg(self, tool: str, *args: str, log: Path | None = None) -> None:
        cmd = [*self._as_pg, str(_pg_bin() / tool), *args]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        if out.returncode != 0:
            detail = (out.stderr or out.stdout).strip().splitlines()
            if log is not None and log.exists():
                detail += log.read_text(errors="replace").strip().splitlines()[-3:]
            raise ClusterError(f"{tool} failed: {' / '.join(detail[-3:]) or out.returncode}")

    def start_postgres(self) -> None:
        if port_open(self.pg_port):
            raise ClusterError(f"port {self.pg_port} is taken (another PostgreSQL?)")
        fresh = not (self.pg_data / "PG_VERSION").exists()
        if fresh:
            self.pg_data.mkdir(parents=True, exist_ok=True)
            if self._as_pg:
                shutil.chown(self.pg_data, "postgres")
                self.pg_data.chmod(0o700)
            self._pg("initdb", "-D", str(self.pg_data), "-U", "vitrina", "--auth=trust", "-E",
                     "UTF8")  # fmt: skip
        self.start_postgres_server()
        if fresh:
            self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "vitrina",
                     "vitrina")  # fmt: skip

    def start_postgres_server(self) -> None:
        log = self.pg_data / "server.log"
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.pg_port} -k {self.pg_data} "
            "-c max_connections=200 -c wal_level=replica"
        )
        self._pg("pg_ctl", "-D", str(self.pg_data), "-l", str(log), "-w", "-t", "60", "-o",
                 options, "start", log=log)  # fmt: skip
        self._pg_started = True

    def stop_postgres(self, mode: str = "fast") -> None:
        if not self._pg_started:
            return
        with contextlib.suppress(ClusterError, OSError, subprocess.TimeoutExpired):
            self._pg("pg_ctl", "-D", str(self.pg_data), "-m", mode, "-w", "stop")
        self._pg_started = False

    def restart_postgres(self) -> None:
        self.stop_postgres()
        self.start_postgres_server()

    # --- Redis -----------------------------------------------------------------------

    def start_redis(self) -> None:
        if port_open(self.redis_port):
            raise ClusterError(f"port {self.redis_port} is taken (another Redis?)")
        log = (self.logs / "redis.log").open("ab")
        self.redis_proc = subprocess.Popen(
            [
                _need("redis-server"),
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        wait_until(lambda: port_open(self.redis_port), timeout=10, what="Redis")

    def stop_redis(self) -> None:
        if self.redis_proc is not None:
            _terminate(self.redis_proc)
            self.redis_proc = None

    def restart_redis(self) -> None:
        self.stop_redis()
        self.start_redis()

    # --- app nodes -------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        keys = self._keys()
        env = {
            **os.environ,
            "VITRINA_ENVIRONMENT": self.environment,
            "VITRINA_DATA_DIR": str(self.data_dir),
            "VITRINA_DATABASE_URL": self.database_url,
            "VITRINA_REDIS_URL": self.redis_url,
            "VITRINA_PUBLIC_URL": self.url,
            "VITRINA_SECRET_KEY": keys["secret_key"],
            "VITRINA_MASTER_KEY": keys["master_key"],
            **self.extra_env,
        }
        return env

    def _keys(self) -> dict[str, str]:
        """The keys every node shares, generated once and kept beside the cluster (0600)."""
        path = self.root / "keys.json"
        if path.exists():
            keys: dict[str, str] = json.loads(path.read_text())
            return keys
        keys = {"secret_key": secrets.token_urlsafe(48), "master_key": secrets.token_urlsafe(48)}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(keys, out)
        return keys

    def vitrina(self, *args: str) -> None:
        out = subprocess.run(
            [sys.executable, "-m", "vitrina", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        with (self.logs / "setup.log").open("a") as log:
            log.write(out.stdout + out.stderr)
        if out.returncode != 0:
            last = (out.stderr or out.stdout).strip().splitlines()[-1:]
            raise ClusterError(f"vitrina {args[0]} failed: {' '.join(last)}")

    def start_node(self, index: int) -> None:
        port = self.node_port(index)
        if port_open(port):
            raise ClusterError(f"port {port} is taken")
        log = (self.logs / f"node-{index + 1}.log").open("ab")
        self.node_procs[index] = subprocess.Popen(
            [sys.executable, "-m", "vitrina", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()

    def node_ready(self, index: int) -> bool:
        proc = self.node_procs.get(index)
        if proc is not None and proc.poll() is not None:
            tail = (self.logs / f"node-{index + 1}.log").read_text(errors="replace")
            last = [line for line in tail.strip().splitlines() if line.strip()][-1:]
            raise ClusterError(f"node {index + 1} exited: {' '.join(last)}")
        return http_status(f"{self.node_url(index)}/readyz") == 200

    def wait_node_ready(self, index: int, timeout: float = 120) -> float:
        return wait_until(lambda: self.node_ready(index), timeout=timeout, what=f"node {index + 1}")

    def kill_node(self, index: int) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        proc = self.node_procs.pop(index)
        proc.kill()
        proc.wait(timeout=10)

    def stop_node(self, index: int) -> None:
        proc = self.node_procs.pop(index, None)
        if proc is not None:
            _terminate(proc)

    # --- proxy -----------------------------------------------------------------------

    def proxy_config(self) -> str:
        servers = "\n".join(
            f"  server node{i + 1} 127.0.0.1:{self.node_port(i)} check" for i in range(self.nodes)
        )
        errorfiles = []
        for status in PROXY_PROBLEMS:
            path = self.root / f"proxy-{status}.http"
            path.write_text(proxy_problem(status))
            errorfiles.append(f"  errorfile {status} {path}")
        return HAPROXY_CONFIG.format(
            port=self.proxy_port,
            servers=servers,
            inter=self.check_interval_ms,
            errorfiles="\n".join(errorfiles),
        )

    def start_proxy(self) -> None:
        if port_open(self.proxy_port):
            raise ClusterError(f"port {self.proxy_port} is taken")
        config = self.root / "haproxy.cfg"
        config.write_text(self.proxy_config())
        haproxy = _need("haproxy")
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True,
                               text=True, check=False)  # fmt: skip
        if check.returncode != 0:
            raise ClusterError(f"haproxy refused {config}: {check.stderr.strip()}")
        log = (self.logs / "haproxy.log").open("ab")
        self.proxy_proc = subprocess.Popen(
            [haproxy, "-db", "-f", str(config)], stdout=log, stderr=log, start_new_session=True
        )
        log.close()

    def wait_proxy_ready(self, timeout: float = 30) -> float:
        return wait_until(
            lambda: http_status(f"{self.url}/readyz") == 200, timeout=timeout, what="the proxy"
        )


# Round robin with no stickiness: any node serves any request, and a socket that
# reconnects may land on another node (the world resumes the avatar there). A node is
# taken out after two failed checks and back after two good ones; a request whose
# connection to a dead node fails is sent to another one; /metrics is kept off the
# public side (Prometheus scrapes each node directly).
# The check reads /readyz but only asks that the node answers and has finished its
# start-up work: PostgreSQL or Redis being down is the same for every node, and taking
# them all out would turn a database restart into an outage of the world's rooms (which
# need neither) and the proxy's 503 for requests the nodes answer with a clear 503.
HAPROXY_CONFIG = """\
global
  maxconn 4096
  log stderr format short local0 notice

defaults
  mode http
  log global
  option dontlognull
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  timeout http-request 10s
{errorfiles}
  option redispatch
  retries 3
  retry-on conn-failure

frontend vitrina
  bind 127.0.0.1:{port}
  option forwardfor
  http-request deny deny_status 404 if {{ path_beg /metrics }}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect rstring warm_up.{{2,4}}ok
  timeout check 3s
  default-server inter {inter} fastinter {inter} downinter {inter} fall 2 rise 2
{servers}
"""

# What the proxy answers itself when no node can (every node down or starting): the same
# problem+json shape as the app's own errors.
PROXY_PROBLEMS = {
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def proxy_problem(status: int) -> str:
    body = json.dumps(
        {
            "type": "https://vitrina.dev/problems/unavailable",
            "title": PROXY_PROBLEMS[status],
            "status": status,
            "detail": "The service is unavailable for a moment; try again.",
            "code": "unavailable",
        }
    )
    return (
        f"HTTP/1.1 {status} {PROXY_PROBLEMS[status]}\r\n"
        "Content-Type: application/problem+json\r\n"
        "Retry-After: 1\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    )


def _terminate(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def stop_running(root: Path, timeout: float = 60) -> bool:
    """Ask the `cluster up` running in `root` to stop; False when none runs."""
    info = root / "cluster.json"
    if not info.exists():
        return False
    pid = int(json.loads(info.read_text()).get("pid", 0))
    if pid <= 0:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    raise ClusterError(f"the cluster (pid {pid}) did not stop within {timeout:.0f} s")


@contextlib.contextmanager
def running(cluster: Cluster) -> Iterator[Cluster]:
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
