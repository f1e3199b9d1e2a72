"""`vitrina cluster`: the proxy configuration it writes, and `down` with nothing running."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from vitrina.cluster import Cluster, proxy_problem


def test_the_proxy_configuration_is_valid_haproxy(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("haproxy is not installed (scripts/system-deps.sh installs it)")
    cluster = Cluster(root=tmp_path, nodes=3, proxy_port=18199, node_base_port=18190)
    config = tmp_path / "haproxy.cfg"
    config.write_text(cluster.proxy_config())
    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    # Three nodes, round robin without stickiness, checked on /readyz, /metrics kept off.
    assert [
        line.split()[2] for line in text.splitlines() if line.strip().startswith("server ")
    ] == [
        "127.0.0.1:18190",
        "127.0.0.1:18191",
        "127.0.0.1:18192",
    ]
    assert "balance roundrobin" in text and "cookie" not in text
    assert "option httpchk GET /readyz" in text
    assert "path_beg /metrics" in text


def test_the_proxy_answers_problem_json_when_no_node_can() -> None:
    raw = proxy_problem(503)
    head, _, body = raw.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 503 ")
    assert "Content-Type: application/problem+json" in head
    assert f"Content-Length: {len(body)}" in head
    assert '"code": "unavailable"' in body


def test_down_without_a_cluster_says_so(tmp_path: Path) -> None:
    out = run(["cluster", "down", "--root", str(tmp_path / "none")], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "No cluster runs there." in out.stdout


def test_the_grafana_dashboard_reads_only_metrics_the_nodes_expose() -> None:
    import json
    import re

    from prometheus_client import REGISTRY, generate_latest

    import vitrina.app  # noqa: F401 - registers every domain's metrics

    dashboard = json.loads(
        (Path(__file__).resolve().parents[2] / "deploy/grafana/vitrina.json").read_text()
    )
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    wanted = {m for e in exprs for m in re.findall(r"\b((?:vitrina|process)_[a-z_]+)", e)}
    exposed = set()
    for family in REGISTRY.collect():
        exposed |= {s.name for s in family.samples} | {family.name}
    text = generate_latest(REGISTRY).decode()
    exposed |= set(re.findall(r"^# TYPE (\S+)", text, flags=re.M))
    assert wanted, "the dashboard reads no metric"
    missing = {
        m
        for m in wanted
        if m not in exposed and re.sub(r"_(bucket|count|sum)$", "", m) not in exposed
    }
    assert not missing, f"not exposed: {sorted(missing)}"
