"""Which of English, French and Italian a customer writes in.

Two signals, chosen by measurement on the brand's own examples (docs/bot.md): a
character n-gram naive Bayes model trained on the brand content in each language, and a
lexicon of short function words and greetings, which decides one- and two-word messages
("merci", "ciao", "oui") that n-grams alone get wrong. A message that neither signal
places clearly keeps the conversation's current language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

from vitrina.bot.content import LANGS, Lang

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæìíòóú']+")


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


LEXICON: dict[Lang, frozenset[str]] = {
    "en": _lexicon(
        "the a an is are was i you my me your we what when where which who how can could "
        "would should do does did to of and or for with on at in it this that please thanks "
        "thank hello hi hey yes no not want need like book talk person human there have has "
        "open today tomorrow afternoon morning evening friday monday never mind forget cancel "
        # How customers type greetings and thanks in a chat.
        "hiya howdy thx ty cheers bye cya pls plz u ur im much many"
    ),
    "fr": _lexicon(
        "le la les un une des est sont je tu vous mon ma mes votre vos nous quel quelle quels "
        "quand où comment pourquoi est-ce qu que qui de du et ou pour avec sur dans ce cette "
        "merci bonjour bonsoir salut oui non pas veux voudrais besoin parler personne "
        "humain ouvert ouverts aujourd'hui demain après-midi matin soir vendredi lundi "
        "au aux suis avez pouvez puis j'ai c'est annule annuler laisse tomber oubliez "
        "coucou slt cc mercii svp stp ouais bisous rdv ça ca va combien quoi"
    ),
    "it": _lexicon(
        "il lo gli un una uno è sono io tu lei voi mio mia miei vostro noi quale quali quando "
        "dove come perché che chi di del della e o per con su nel nella questo questa grazie "
        "ciao buongiorno buonasera sì si no non voglio vorrei bisogno parlare persona umano "
        "aperto aperti oggi domani pomeriggio mattina sera venerdì lunedì al ai sei avete "
        "potete posso ho c'è orari prenotare annulla lascia perdere basta "
        "ciaoo ehi salve buondì grz arrivederci favore piu più perche quanto quanti cosa costa"
    ),
}


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lexicon_scores(text: str) -> dict[Lang, int]:
    words = _words(text)
    return {lang: sum(w in LEXICON[lang] for w in words) for lang in LANGS}


class LanguageDetector:
    def __init__(self, samples: Iterable[tuple[Lang, str]]) -> None:
        pairs = [(lang, text) for lang, text in samples if text.strip()]
        self.languages: list[Lang] = sorted({lang for lang, _ in pairs}) or ["en"]
        self._vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4), lowercase=True)
        self._model: MultinomialNB | None = None
        if len(self.languages) > 1:
            x = self._vectorizer.fit_transform([t for _, t in pairs])
            self._model = MultinomialNB(alpha=0.1).fit(x, [lang for lang, _ in pairs])

    def scores(self, text: str) -> dict[Lang, float]:
        """A probability per language, from both signals."""
        if self._model is None:
            return {self.languages[0]: 1.0}
        proba = self._model.predict_proba(self._vectorizer.transform([text]))[0]
        ngram = {str(lang): float(p) for lang, p in zip(self._model.classes_, proba, strict=True)}
        hits = lexicon_scores(text)
        # Each lexicon hit counts like strong evidence; the n-gram model fills the rest.
        logits = {
            lang: math.log(ngram.get(lang, 1e-6) + 1e-6) + 2.0 * hits.get(lang, 0)
            for lang in self.languages
        }
        top = max(logits.values())
        exp = {lang: math.exp(v - top) for lang, v in logits.items()}
        total = sum(exp.values())
        return {lang: v / total for lang, v in exp.items()}

    def detect(self, text: str, *, current: str | None = None, margin: float = 0.75) -> Lang:
        """The language of `text`; when unsure, `current` (the conversation's language)."""
        scores = self.scores(text)
        best = max(scores, key=lambda lang: scores[lang])
        if current in self.languages and scores[best] < margin:
            return current
        words = _words(text)
        # A product name or "ok" says nothing about the language, and "no" is English as
        # much as Italian: a short message keeps the current language unless it has more
        # clues for another.
        hits = lexicon_scores(text)
        if current in self.languages and len(words) < 3 and hits[current] >= max(hits.values()):
            return current
        return best

    def accuracy(self, samples: list[tuple[Lang, str]]) -> float:
        if not samples:
            return 0.0
        right = [self.detect(text) == lang for lang, text in samples]
        return float(np.mean(right))
