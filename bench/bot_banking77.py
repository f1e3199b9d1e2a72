"""BANKING77 intent benchmark: train on train.csv, measure on test.csv, print the figures.

    .venv/bin/python -m bench.bot_banking77 [--data DIR] [--no-embeddings]

The same measurement as `vitrina bot eval --data train.csv --test test.csv --json`, with
the date, the machine's core count and its load average printed beside the figures,
since the machine is shared and the load moves latency and training time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from vitrina.bot import evaluation

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the CSVs")
    parser.add_argument("--cache", type=Path, default=None, help="encoder cache directory")
    parser.add_argument("--no-embeddings", action="store_true", help="TF-IDF features only")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        cache = args.cache or Path(scratch) / "bot"
        report = evaluation.run(
            args.data / "train.csv",
            args.data / "test.csv",
            cache_dir=cache,
            model_path=Path(scratch) / "banking77.joblib",
            embeddings=not args.no_embeddings,
            progress=lambda step, share: print(f"[{share:4.0%}] {step}", file=sys.stderr),
        )
    figures = report.as_dict()
    figures.update(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cores=os.cpu_count(),
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
