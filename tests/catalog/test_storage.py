"""Assets are stored whole or not at all, under their SHA-256."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

from vitrina.catalog.storage import AssetStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = AssetStore(tmp_path / "assets")
    data = b"glTF" + bytes(range(256)) * 40
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path_of(sha) == tmp_path / "assets" / sha[:2] / f"{sha}.glb"
    assert store.path_of(sha).read_bytes() == data
    assert store.put(data) == sha
    assert [p.name for p in (tmp_path / "assets").rglob("*") if p.is_file()] == [f"{sha}.glb"]


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path: Path) -> None:
    # A real failure: the process may write at most 64 KiB per file (RLIMIT_FSIZE), so
    # writing a 1 MiB asset fails part-way with EFBIG, as a full disk would.
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from vitrina.catalog.storage import AssetStore
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            AssetStore(Path({str(tmp_path / "assets")!r})).put(b"x" * (1024 * 1024))
        except OSError as exc:
            print("failed", exc.errno)
            sys.exit(0)
        print("stored")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.startswith("failed"), run.stdout + run.stderr
    assert [p for p in (tmp_path / "assets").rglob("*") if p.is_file()] == []
