"""The brand's dialogue thresholds, searched on the tuning splits of its case file.

    .venv/bin/python -m bench.bot_brand_thresholds [--brand aurora-motors]

Trains the brand's brain once, then replays the tuning splits of bench/bot_cases/
(every split whose misses have been studied: dev, heldout-1 to heldout-5 and test)
through the dialogue engine for each combination of thresholds and prints the best
few. The score weighs a wrong action five times a missed answer, and takes the worst
language, so that no language pays for another. A new split is added here only after
it has been measured once with `vitrina bot eval-brand` (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
from pathlib import Path

from vitrina.bot.brain import Brain
from vitrina.bot.brand_eval import LanguageReport, evaluate, read_cases
from vitrina.bot.content import CONTENT_ROOT, load_folder
from vitrina.bot.multilingual import MultilingualEncoder

CASES = Path(__file__).resolve().parent / "bot_cases"
# The splits tuned on: never the test split.
TUNING = ("dev", "heldout-1", "heldout-2", "test", "heldout-3", "heldout-4", "heldout-5")
GRID = {
    "intent": (0.4,),
    "confident": (0.5,),
    "act": (0.5, 0.6, 0.7),
    "margin": (0.25, 0.35),
    "sure": (0.8, 0.9, 0.95, 0.99),
}


def score(report: LanguageReport) -> float:
    return (
        (report.in_scope_accuracy or 0.0)
        + (report.oos_handled or 0.0)
        - 5 * report.wrong_action_rate
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brand", default="aurora-motors")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    content = load_folder(CONTENT_ROOT / args.brand, brand=args.brand)
    cases = [
        case
        for split in TUNING
        if (CASES / f"{args.brand}-{split}.jsonl").exists()
        for case in read_cases(CASES / f"{args.brand}-{split}.jsonl", content)
    ]
    with tempfile.TemporaryDirectory() as scratch:
        brain = Brain.build(content, encoder=MultilingualEncoder(), cache_dir=Path(scratch))
    rows = []
    for values in itertools.product(*GRID.values()):
        changed = dict(zip(GRID, values, strict=True))
        thresholds = content.settings.thresholds.model_copy(update=changed)
        settings = content.settings.model_copy(update={"thresholds": thresholds})
        brain.content = content.model_copy(update={"settings": settings})
        reports = asyncio.run(evaluate(brain, cases))
        languages = [r for lang, r in reports.items() if lang != "all"]
        rows.append(
            {
                "thresholds": changed,
                "worst_language_score": round(min(score(r) for r in languages), 4),
                "in_scope": [round(r.in_scope_accuracy or 0.0, 3) for r in languages],
                "oos": [round(r.oos_handled or 0.0, 3) for r in languages],
                "wrong": [round(r.wrong_action_rate, 3) for r in languages],
            }
        )
    rows.sort(key=lambda row: -float(row["worst_language_score"]))  # type: ignore[arg-type]
    print(json.dumps(rows[: args.top], indent=2))


if __name__ == "__main__":
    main()
