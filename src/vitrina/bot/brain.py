"""One brand's understanding: its content, intent model, language detector and retriever.

Intent models are trained from the content at first use and cached under the data
directory, keyed by a hash of the content, so editing the YAML retrains and an unchanged
brand loads in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from vitrina.bot.classifier import IntentClassifier
from vitrina.bot.content import BrandContent, Lang
from vitrina.bot.cues import refers_to_booking, speaks_of_a_drive
from vitrina.bot.encoder import SentenceEncoder
from vitrina.bot.kb import Hit, Retriever
from vitrina.bot.language import LanguageDetector
from vitrina.bot.negation import without_rejected
from vitrina.bot.neighbours import Neighbours
from vitrina.bot.policy import changes_booking
from vitrina.bot.scope import asks_general_task, names_other_company, own_names
from vitrina.bot.spelling import Speller
from vitrina.core.text import fold


@dataclass(frozen=True, slots=True)
class Understanding:
    language: Lang
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]]
    # What was classified: the message without the clauses it rejects.
    classified: str = ""
    # Arithmetic or translation: no brand answers it (`scope.py`).
    general_task: bool = False
    # It names an account at another company than the brand (`scope.py`).
    elsewhere: bool = False
    # It speaks of an appointment already made, or of changing one (`cues.py`).
    existing: bool = True
    # It speaks of driving, trying or booking, or of a day or time (`cues.py`).
    driving: bool = True


def content_hash(content: BrandContent, *, embeddings: bool) -> str:
    payload = json.dumps(
        {
            "intents": [i.model_dump() for i in content.intents],
            "embeddings": embeddings,
            # How examples are prepared: a model prepared otherwise is trained again.
            "examples": "without-rejected-clauses",
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class Brain:
    def __init__(
        self,
        content: BrandContent,
        *,
        classifier: IntentClassifier,
        detector: LanguageDetector,
        retriever: Retriever,
        neighbours: Neighbours | None = None,
        speller: Speller | None = None,
    ) -> None:
        self.content = content
        self.speller = speller
        self.booking_changes = frozenset(
            i.name for i in content.intents if changes_booking(content, i)
        )
        self.classifier = classifier
        self.detector = detector
        self.retriever = retriever
        self.neighbours = neighbours
        self.own_names = own_names(
            content.brand,
            [
                content.settings.bot_name,
                *(n for p in content.settings.products for n in (p.name, *p.aliases)),
            ],
        )

    @classmethod
    def build(
        cls, content: BrandContent, *, encoder: SentenceEncoder | None, cache_dir: Path
    ) -> Brain:
        samples = [(lang, text) for i in content.intents for lang, text in i.examples.items()]
        labels = [i.name for i in content.intents for _ in i.examples.items()]
        # Examples are learnt as messages are read: without the clauses they reject
        # ("I don't want to book, I want to cancel" teaches cancelling, not booking).
        learnt = [without_rejected(text) or text for _, text in samples]
        path = (
            cache_dir
            / "brands"
            / f"{content.brand}-{content_hash(content, embeddings=encoder is not None)}.joblib"
        )
        classifier = IntentClassifier.load(path, encoder=encoder)
        if classifier is None:
            classifier = IntentClassifier(encoder=encoder)
            classifier.fit(learnt, labels, calibration_share=0.25)
            classifier.save(path)
        # Responses and articles add sentences per language to the detector's examples.
        neighbours = (
            Neighbours(
                learnt,
                labels,
                encoder=encoder,
                cache=path.with_name(f"{path.stem}.{encoder.name}.neighbours.npy"),
            )
            if encoder is not None
            else None
        )
        for texts in content.responses.values():
            samples += [(lang, text) for lang in ("fr", "it") if (text := getattr(texts, lang))]
            samples.append(("en", texts.en))
        for article in content.articles:
            for lang in ("en", "fr", "it"):
                samples.append((lang, article.body.get(lang)))
        titles = [a.title.get(lang) for a in content.articles for lang in ("en", "fr", "it")]
        return cls(
            content,
            classifier=classifier,
            detector=LanguageDetector(samples),
            retriever=Retriever(content.articles, encoder=encoder),
            neighbours=neighbours,
            speller=Speller([text for _, text in samples if text] + titles),
        )

    def corrected(self, text: str) -> str:
        """`text` with its typing slips put right from the brand's words (`spelling.py`)."""
        return self.speller.correct(text) if self.speller is not None else text

    def understand(self, text: str, *, current_language: str | None) -> Understanding:
        language = self.detector.detect(text, current=current_language)
        if language not in self.content.settings.languages:
            language = self.content.settings.languages[0]
        # "I don't want to book, I want to cancel": the rejected clause is left out.
        # Typing slips are put right first: "anulle mon rdv" is read as "annule mon rdv".
        meant = self.corrected(text)
        classified = without_rejected(meant) or meant
        prediction = self.classifier.predict(classified)
        threshold = self.content.settings.thresholds.out_of_scope
        return Understanding(
            language=language,
            intent=prediction.intent if prediction.confidence >= threshold else None,
            confidence=prediction.confidence,
            ranking=prediction.ranking,
            classified=classified,
            general_task=asks_general_task(text),
            elsewhere=names_other_company(text, self.own_names),
            existing=refers_to_booking(fold(meant)),
            driving=speaks_of_a_drive(fold(meant)),
        )

    def agrees(self, understood: Understanding, intent_name: str) -> bool:
        """Whether the brand's nearest examples back starting `intent_name` (always,
        without sentence features)."""
        if self.neighbours is None:
            return True
        # Moving or cancelling needs an appointment to act on (`cues.refers_to_booking`):
        # without one, their examples, close in wording to booking ones, have no say.
        ruled_out = frozenset() if understood.existing else self.booking_changes
        return self.neighbours.agree(understood.classified, intent_name, ruled_out=ruled_out)

    def search(self, text: str) -> Hit | None:
        hits = self.retriever.search(self.corrected(text), top=1)
        if hits and hits[0].score >= self.content.settings.thresholds.kb:
            return hits[0]
        return None

    def supports(self, text: str, article_id: str) -> bool:
        """Whether retrieval agrees that `article_id` answers `text`."""
        floor = self.content.settings.thresholds.kb_support
        hits = self.retriever.search(self.corrected(text), top=2)
        return any(h.article.id == article_id and h.score >= floor for h in hits)

    def verb(self, intent_name: str, lang: str) -> str | None:
        """What the customer would do under an intent, as a verb phrase ("cancel your
        test drive"), for the question that tells two actions apart; None if not given."""
        key = f"verb_{intent_name}"
        return self.content.responses[key].get(lang) if key in self.content.responses else None

    def label(self, intent_name: str, lang: str) -> str:
        """How the bot names an intent when it asks which one was meant."""
        intent = self.content.intent(intent_name)
        if intent is not None and intent.article:
            article = self.content.article(intent.article)
            if article is not None:
                return article.title.get(lang).lower()
        key = f"label_{intent_name}"
        if key in self.content.responses:
            return self.content.responses[key].get(lang)
        return intent_name.replace("_", " ")
