"""How fast the scripted customer answers: a trainee's reply read by the bot's NLU, the
branch chosen and the customer's next line, and a whole session scored.

    python -m bench.training [--replies 300]

Uses the demo brand's trained model (built into a temporary cache on first run, not timed)
and the two shipped scenarios, in English, French and Italian.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from vitrina.bot.content import CONTENT_ROOT
from vitrina.bot.service import Runtime
from vitrina.training import engine, scoring
from vitrina.training.nlu import BotReader
from vitrina.training.scenario import parse_scenario
from vitrina.training.service import shipped_sources

BRAND = "aurora-motors"
REPLIES = {
    "en": [
        "Hello, welcome to Aurora Motors.",
        "I'm so sorry about the delay, I understand your frustration.",
        "I need to verify your identity first: I've sent a one-time code.",
        "Your car arrives on 18 December; configured cars take 8 to 12 weeks.",
        "Let me book a handover appointment with a courtesy car.",
    ],
    "fr": [
        "Bonjour, bienvenue chez Aurora Motors.",
        "Je suis vraiment désolé pour ce retard, je comprends votre frustration.",
        "Je dois d'abord vérifier votre identité : je vous ai envoyé un code à usage unique.",
        "Votre voiture arrive le 18 décembre ; une voiture configurée demande 8 à 12 semaines.",
        "Je vous propose de réserver un rendez-vous de livraison.",
    ],
    "it": [
        "Buongiorno, benvenuto da Aurora Motors.",
        "Mi dispiace molto per il ritardo, capisco la sua frustrazione.",
        "Devo prima verificare la sua identità: le ho inviato un codice monouso.",
        "La sua auto arriva il 18 dicembre; un'auto configurata richiede da 8 a 12 settimane.",
        "Le propongo di prenotare un appuntamento per la consegna.",
    ],
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(replies: int) -> None:
    reader = BotReader(Runtime(cache_dir=Path(tempfile.mkdtemp()), content_dir=CONTENT_ROOT))
    await reader.warm(BRAND)
    scenario = parse_scenario(shipped_sources(BRAND)["late-delivery"])
    turn_ms: list[float] = []
    score_ms: list[float] = []
    done = 0
    while done < replies:
        for lang, texts in REPLIES.items():
            state, _ = engine.begin(scenario, lang)
            turns: list[scoring.Turn] = []
            for i, text in enumerate(texts):
                # Distinct text each time: the encoder's cache of recent messages is not measured.
                said = f"{text} ({done})"
                start = time.perf_counter()
                reading = await reader.read(BRAND, said, lang)
                matched, _ = engine.respond(scenario, state, said, reading, at=5.0 * (i + 1))
                turn_ms.append((time.perf_counter() - start) * 1000)
                turns.append(scoring.Turn(i + 1, 5.0 * (i + 1), "trainee", said, matched.labels))
                done += 1
            start = time.perf_counter()
            scoring.score(scenario, turns, outcome=state.outcome, duration_s=25.0, language=lang)
            score_ms.append((time.perf_counter() - start) * 1000)
    print(f"replies read and answered: {len(turn_ms)}")
    print(
        f"reply -> customer's next line: p50 {statistics.median(turn_ms):.1f} ms, "
        f"p95 {pct(turn_ms, 0.95):.1f} ms, max {max(turn_ms):.1f} ms"
    )
    print(
        f"session scored: p50 {statistics.median(score_ms):.2f} ms, "
        f"p95 {pct(score_ms, 0.95):.2f} ms ({len(score_ms)} sessions)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replies", type=int, default=300)
    asyncio.run(main(parser.parse_args().replies))
