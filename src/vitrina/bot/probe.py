"""`python -m vitrina.bot.probe MODEL CACHE_DIR TEXTS.json`: load a saved intent model the
way the server does, answer each text one at a time, print timings and peak memory.

Run as its own process by `vitrina bot eval`, so the figures are those of a serving
process (encoder + model), not of the training process or of the whole CLI.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from vitrina.bot.classifier import IntentClassifier
from vitrina.bot.encoder import Encoder

WARM_UP = 20


def main(model_path: str, cache_dir: str, texts_path: str) -> None:
    texts: list[str] = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    encoder = Encoder.from_cache(Path(cache_dir)) if cache_dir else None
    model = IntentClassifier.load(Path(model_path), encoder=encoder)
    if model is None:
        sys.exit(f"{model_path}: not a model this version can load")
    for text in texts[:WARM_UP]:
        model.predict(text)
    timings, cpu = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.predict(text)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # CPU time per utterance does not grow when other processes share the cores; wall
    # time does. Both are reported.
    print(json.dumps({"timings_ms": timings, "cpu_ms": cpu, "rss_mib": peak_rss_mib()}))


def peak_rss_mib() -> float:
    """This process's peak resident memory. On Linux, VmHWM: getrusage's ru_maxrss keeps
    the peak of the process before exec, here the much larger training process."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(*sys.argv[1:4])
