"""Content-addressed asset files: <data_dir>/assets/<sha[:2]>/<sha>.glb.

A file is written to a temporary name in the same directory, flushed to disk and renamed
into place; a reader therefore sees either no file or the whole file, never a part.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class AssetStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.glb"

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Stores `data` and returns its SHA-256; storing the same bytes twice is a no-op."""
        sha256 = hashlib.sha256(data).hexdigest()
        final = self.path_of(sha256)
        if final.is_file():
            return sha256
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256
