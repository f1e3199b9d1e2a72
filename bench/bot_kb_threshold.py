"""The knowledge-base score threshold, chosen on held-out customer messages.

    .venv/bin/python -m bench.bot_kb_threshold [--brand aurora-motors]

Retrieval alone (no intent model) on the case files of bench/bot_cases: a message whose
expected intent is answered by an article should find that article; any other message
(a flow, a greeting, out of scope) should find none. For each threshold the script
counts, on the dev split, the messages answered from the right article and those
answered from a wrong one (a random article is worse than a question), picks the
lowest threshold with no wrong article on dev, and reports both splits at it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from vitrina.bot.brand_eval import Case, read_cases
from vitrina.bot.content import CONTENT_ROOT, BrandContent, load_folder
from vitrina.bot.kb import Retriever
from vitrina.bot.multilingual import MultilingualEncoder

CASES = Path(__file__).resolve().parent / "bot_cases"


def scored(
    retriever: Retriever, content: BrandContent, cases: list[Case]
) -> list[tuple[float, bool, bool]]:
    """(top score, top is the right article, the message has a right article) per case."""
    rows = []
    for case in cases:
        intent = content.intent(case.intent)
        wanted = intent.article if intent is not None else None
        hits = retriever.search(case.text, top=1)
        score = hits[0].score if hits else 0.0
        right = bool(hits) and hits[0].article.id == wanted
        rows.append((score, right, wanted is not None))
    return rows


def at(rows: list[tuple[float, bool, bool]], threshold: float) -> dict[str, float]:
    answerable = sum(has for _, _, has in rows) or 1
    right = sum(score >= threshold and ok for score, ok, _ in rows)
    wrong = sum(score >= threshold and not ok for score, ok, _ in rows)
    return {
        "threshold": round(threshold, 3),
        "right_article": right / answerable,
        "wrong_article": wrong / len(rows),
        "wrong_count": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brand", default="aurora-motors")
    args = parser.parse_args()
    content = load_folder(CONTENT_ROOT / args.brand, brand=args.brand)
    retriever = Retriever(content.articles, encoder=MultilingualEncoder())
    dev = scored(retriever, content, read_cases(CASES / f"{args.brand}-dev.jsonl", content))
    test = scored(retriever, content, read_cases(CASES / f"{args.brand}-test.jsonl", content))
    grid = np.round(np.arange(0.2, 0.8, 0.01), 3)
    chosen = next(float(t) for t in grid if at(dev, float(t))["wrong_count"] == 0)
    print(
        json.dumps(
            {
                "chosen_on_dev": chosen,
                "dev": at(dev, chosen),
                "test": at(test, chosen),
                "curve_dev": [at(dev, float(t)) for t in grid[::5]],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
