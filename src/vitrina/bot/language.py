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
# Up to this many words, a message is short: one strong word decides its language.
_SHORT = 3
# A letter typed three times or more ("bonjouuur", "ciaooo", "hellooo") is one letter.
_DRAWN_OUT = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLED = re.compile(r"([^\W\d_])\1+")


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


LEXICON: dict[Lang, frozenset[str]] = {
    "en": _lexicon(
        "the a an is are was i you my me your we what when where which who how can could "
        "would should do does did to of and or for with on at in it this that please thanks "
        "thank hello hi hey yes no not want need like book talk person human there have has "
        "open today tomorrow afternoon morning evening friday monday never mind forget cancel "
        # How customers type greetings and thanks in a chat.
        "hiya howdy thx ty cheers bye cya pls plz u ur im much many "
        "whats what's hows how's where's wheres it's its i'm i'd i'll dont don't cant can't "
        "wont won't didnt isnt doesnt all will just get got go going be been any some "
        "from about after before than then them they their our out up down off too very "
        "times plus minus divided squared root convert translate say price cost costs "
        "long far fast car cars drive see ya later great awesome brilliant cool nice "
        "goodbye night day week weekend saturday sunday thursday tuesday wednesday "
        "appreciate appreciated lovely mate guys folks anyone anybody someone thnx thanx tnx "
        "warranty length"
    ),
    "fr": _lexicon(
        "le la les un une des est sont je tu vous mon ma mes votre vos nous quel quelle quels "
        "quand où comment pourquoi est-ce qu que qui de du et ou pour avec sur dans ce cette "
        "merci bonjour bonsoir salut oui non pas veux voudrais besoin parler personne "
        "humain ouvert ouverts aujourd'hui demain après-midi matin soir vendredi lundi "
        "au aux suis avez pouvez puis j'ai c'est annule annuler laisse tomber oubliez "
        "coucou slt cc mercii svp stp ouais bisous rdv ça ca va combien quoi "
        "bjr bsr bonne journée journee soirée soiree bientôt bientot plus tard revoir "
        "génial genial super parfait nickel chouette trop d'accord dac "
        "faut fait font y elle ils mais donc chez moi toi lui leur leurs "
        "peux peut pouvoir faire aller venir voiture essai prix coûte coute "
        "j'aimerais j'voudrais aimerais dites dis-moi dis moi aussi très tres bien "
        "samedi dimanche mardi mercredi jeudi semaine prochaine heure heures tarif tarifs prix "
        "mrc mrci"
    ),
    "it": _lexicon(
        "il lo gli un una uno è sono io tu lei voi mio mia miei vostro noi quale quali quando "
        "dove come perché che chi di del della e o per con su nel nella questo questa grazie "
        "ciao buongiorno buonasera sì si no non voglio vorrei bisogno parlare persona umano "
        "aperto aperti oggi domani pomeriggio mattina sera venerdì lunedì al ai sei avete "
        "potete posso ho c'è orari prenotare annulla lascia perdere basta "
        "ciaoo ehi salve buondì grz arrivederci favore piu più perche quanto quanti cosa costa "
        "buonanotte buongiorno presto sentiamo vediamo perfetto ottimo benissimo bene "
        "mille tante fantastico gentilissimo gentile bene d'accordo "
        "fammi dimmi dammi mandami trovami prenotami aiutami spiegami voglio mi ti ci "
        "anche ma però pero allora quindi della dello degli delle alla alle nei sul sulla "
        "macchina prova prezzo sabato domenica martedì mercoledì giovedì settimana "
        "prossima ora ore qualcuno c'e è sto stai fare andare venire"
    ),
}
# Words that on their own settle a short message's language: greetings, thanks and
# goodbyes as customers type them in a chat. "Hey" and "ok" are in every language's chat.
STRONG: dict[Lang, frozenset[str]] = {
    "en": _lexicon(
        "hello hi hiya howdy thanks thank thx thnx thanx tnx ty cheers bye goodbye cya please "
        "pls plz "
        "morning evening afternoon great awesome brilliant"
    ),
    "fr": _lexicon(
        "bonjour bonsoir salut coucou slt bjr bsr merci mercii mrc mrci svp stp revoir bientôt "
        "bientot "
        "génial genial parfait nickel chouette journée journee soirée soiree à+"
    ),
    "it": _lexicon(
        "ciao buongiorno buonasera buonanotte buondì salve grazie grz arrivederci presto "
        "perfetto ottimo fantastico benissimo gentilissimo"
    ),
}
# Whole messages that are another word elsewhere: "ta" is thanks in English and "your"
# in French, "cc" hello in French.
WHOLE: dict[str, Lang] = {
    "ta": "en",
    "ty": "en",
    "yo": "en",
    "cc": "fr",
    "re": "fr",
    "a+": "fr",
    "a plus": "fr",
    "à plus": "fr",
    "a tantot": "fr",
}
# Greetings other languages borrow ("ciao a bientôt", "hello nova, je voudrais..."):
# they decide only when no other language's strong word is there.
LOANS = frozenset({"ciao", "hello", "bye"})
# "à+" / "a+": French chat for "see you".
_SEE_YOU = re.compile(r"(?:^|\s)[aà]\+(?:\s|$)")


def normalise(text: str) -> str:
    """Lower case, with drawn-out letters ("bonjouuur") typed once."""
    return _DRAWN_OUT.sub(r"\1", text.lower())


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def _key(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


# Lexicon words with doubled letters typed once, for words customers stretch by one
# letter ("buongiornoo", "bonjouur"); consulted only for words no lexicon has as typed.
_KEYS: dict[Lang, frozenset[str]] = {
    lang: frozenset(_key(w) for w in words) for lang, words in LEXICON.items()
}
_STRONG_KEYS: dict[Lang, frozenset[str]] = {
    lang: frozenset(_key(w) for w in words) for lang, words in STRONG.items()
}


def _hits(
    words: list[str], exact: dict[Lang, frozenset[str]], keyed: dict[Lang, frozenset[str]]
) -> dict[Lang, int]:
    hits = dict.fromkeys(LANGS, 0)
    for word in words:
        found = [lang for lang in LANGS if word in exact[lang]]
        if not found and _DOUBLED.search(word):
            found = [lang for lang in LANGS if _key(word) in keyed[lang]]
        for lang in found:
            hits[lang] += 1
    return hits


def lexicon_scores(text: str) -> dict[Lang, int]:
    return _hits(_words(text), LEXICON, _KEYS)


def strong_language(text: str) -> Lang | None:
    """The one language whose greeting, thanks or goodbye words the message holds, or the
    language of a whole-message chat form; None when none or several."""
    whole = " ".join(normalise(text).split()).strip(" !.?")
    if whole in WHOLE:
        return WHOLE[whole]
    words = _words(text)
    if _SEE_YOU.search(normalise(text)):
        words.append("à+")
    hits = _hits([w for w in words if w not in LOANS], STRONG, _STRONG_KEYS)
    found = [lang for lang, n in hits.items() if n]
    if found:
        return found[0] if len(found) == 1 else None
    # Only borrowed greetings: they decide a message of nothing else ("ciao", "hello
    # nova"), not one with words of another language ("ciao for now").
    others = _hits([w for w in words if w not in LOANS], LEXICON, _KEYS)
    loans = _hits([w for w in words if w in LOANS], STRONG, _STRONG_KEYS)
    found = [lang for lang, n in loans.items() if n]
    if len(found) == 1 and not any(n for lang, n in others.items() if lang != found[0]):
        return found[0]
    return None


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
        proba = self._model.predict_proba(self._vectorizer.transform([normalise(text)]))[0]
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
        words = _words(text)
        # "genial merci", "bjr nova", "ciaooo": a greeting, thanks or goodbye of one
        # language decides a short message, whatever the other words and the page.
        strong = strong_language(text) if len(words) <= _SHORT else None
        if strong in self.languages:
            return strong
        # "E1 cost?", "GT tarif ?": in a short message, words of one language only
        # (not counting one- and two-letter words: "a" is English, French and Italian).
        hits = _hits([w for w in words if len(w) > 2], LEXICON, _KEYS)
        only = [lang for lang, n in hits.items() if n]
        if len(words) <= _SHORT and len(only) == 1 and only[0] in self.languages:
            return only[0]
        scores = self.scores(text)
        best = max(scores, key=lambda lang: scores[lang])
        if current in self.languages and scores[best] < margin:
            return current
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
