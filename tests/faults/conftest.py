"""A real cluster for the fault tests: PostgreSQL, Redis, two app nodes behind HAProxy.

The fault tests kill and restart the cluster's parts, so they run apart from the rest of
the suite: `make test-faults` (which `make test` runs) sets VITRINA_TEST_FAULTS=1;
otherwise they are skipped. One cluster serves every fault test of the session; each
test leaves it whole (every node up, PostgreSQL and Redis running) for the next.

Ports: consecutive from VITRINA_TEST_CLUSTER_PORT when set, otherwise free ones.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vitrina.cluster import Cluster

ENABLED = os.environ.get("VITRINA_TEST_FAULTS") == "1"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(
        reason="fault tests run with `make test-faults` (VITRINA_TEST_FAULTS=1)"
    )
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.xdist_group("faults"))
            if not ENABLED:
                item.add_marker(skip)


def _free_block(size: int) -> int:
    """The first of `size` consecutive free loopback ports."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + size > 65000:
            continue
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no block of free ports")


def _ports() -> dict[str, int]:
    base = int(os.environ.get("VITRINA_TEST_CLUSTER_PORT") or _free_block(10))
    return {"proxy_port": base, "node_base_port": base + 1, "pg_port": base + 8,
            "redis_port": base + 9}  # fmt: skip


class Tarpit:
    """A server that accepts connections and never says a word: an SMTP relay or a webhook
    receiver that hangs. `connections` counts what reached it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.connections += 1

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture(scope="session")
def tarpit() -> Iterator[Tarpit]:
    pit = Tarpit()
    yield pit
    pit.close()


@pytest.fixture(scope="session")
def cluster(tarpit: Tarpit) -> Iterator[Cluster]:
    if not ENABLED:
        pytest.skip("fault tests run with `make test-faults`")
    # Under /tmp with 0755: as root, PostgreSQL runs as the postgres user, who cannot
    # enter pytest's private temporary directories.
    root = Path(tempfile.mkdtemp(prefix="vitrina-faults-"))
    root.chmod(0o755)
    cluster = Cluster(
        root=root,
        nodes=2,
        environment="development",
        check_interval_ms=500,
        extra_env={
            "VITRINA_LOG_LEVEL": "WARNING",
            # The bot answers nothing these tests ask; its models would slow each start.
            "VITRINA_BOT_ENABLED": "false",
            # Every client of these tests comes from 127.0.0.1: rate limits would stop
            # the load, not the faults.
            "VITRINA_PUBLIC_WRITE_RATE_PER_MINUTE": "1000000",
            "VITRINA_LOGIN_RATE_PER_MINUTE": "1000000",
            # Mail and the payment provider's webhooks go to a server that never answers.
            "VITRINA_SMTP_HOST": "127.0.0.1",
            "VITRINA_SMTP_PORT": str(tarpit.port),
            "VITRINA_COMMERCE_SANDBOX_WEBHOOK_URL": f"http://127.0.0.1:{tarpit.port}/hook",
            # Both nodes' mail workers look for due mail twice a second: a mail sent twice
            # by the cluster would show at once.
            "VITRINA_SCHEDULING_WORKER_INTERVAL_S": "0.5",
        },
        **_ports(),
    )
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        keep = os.environ.get("VITRINA_TEST_KEEP_CLUSTER_LOGS")
        if keep:
            shutil.copytree(cluster.logs, keep, dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def whole(cluster: Cluster) -> Iterator[Cluster]:
    """The cluster, made whole again after the test whatever it broke."""
    yield cluster
    restore(cluster)


def restore(cluster: Cluster) -> None:
    if not cluster._pg_started:
        cluster.start_postgres_server()
    if cluster.redis_proc is None or cluster.redis_proc.poll() is not None:
        cluster.redis_proc = None
        cluster.start_redis()
    for index in range(cluster.nodes):
        proc = cluster.node_procs.get(index)
        if proc is None or proc.poll() is not None:
            cluster.node_procs.pop(index, None)
            cluster.start_node(index)
    for index in range(cluster.nodes):
        cluster.wait_node_ready(index)
    cluster.wait_proxy_ready()
