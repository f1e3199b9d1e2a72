"""Requests no brand greeter answers, told by their form rather than learnt per brand.

Two kinds of message look like a brand's own intents to a model of word and sentence
features, and both have cost customers a wrong answer or a wrong action:

- tasks of a general assistant: arithmetic ("what's 12 times 7", "racine carrée de
  144") and translation ("come si dice macchina in tedesco");
- another company's account: "the balance of my car loan with Toyota Finance" reads
  like the brand's financing balance, and reading it would ask the customer to prove
  who they are for an account the brand does not hold. A message names another company
  when it names a bank or a kind of account no car brand holds, a lender or car maker
  from the list below, or "with <name> finance", "chez <name> banque" with a name that
  is neither the brand's own nor a common word.

Both are matched on accent-folded text, in English, French and Italian.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vitrina.core.text import fold

_NUMBER = r"\d+(?:[.,]\d+)?"
# Not "-" nor "/": "20-80%" is a charge, "12/12" a date.
_OPERATOR = (
    r"(?:[x*+\u00d7\u00f7]|times|plus|minus|divided\s+by|multiplied\s+by|fois|moins|divise\s+par|"
    r"multiplie\s+par|per|piu|meno|diviso(?:\s+per)?|moltiplicato\s+per)"
)
_ARITHMETIC = re.compile(
    rf"{_NUMBER}\s*{_OPERATOR}\s*{_NUMBER}(?!\s*(?:%|percent|pour\s*cent|per\s*cento|km|kw|"
    rf"months?|mois|mesi|years?|ans|anni|eur|euros?|minutes?|min|h\b))"
    r"|\b(?:square\s+root|cube\s+root|racine\s+carree|racine\s+cubique|radice\s+quadrata|"
    r"radice\s+cubica|squared|cubed|au\s+carre|al\s+quadrato|factorial|factorielle|fattoriale)\b"
    rf"|{_NUMBER}\s*%\s*(?:of|de|di)\s+{_NUMBER}"
)
# Market prices: "the price of gold today", "le cours du bitcoin".
_MARKET = re.compile(
    r"\b(?:price|cours|prix|prezzo|quotazione|valore|value|worth)\s+(?:of\s+|de\s+l'|du\s+|de\s+|"
    r"dell'|del\s+|della\s+|dei\s+|delle\s+)?(?:the\s+|l'|la\s+|le\s+)?(?:gold|silver|oil|or|argent|"
    r"petrole|oro|argento|petrolio|bitcoin|btc|ethereum|shares?|stocks?|actions?|azioni|"
    r"euro|dollar|dollaro|sterling)\b"
)
_TRANSLATION = re.compile(
    r"\b(?:translate|translation|traduis|traduire|traduction|traduisez|traduci|tradurre|"
    r"traduzione|traducimi|how\s+do\s+you\s+say|how\s+to\s+say|what\s+is\s+the\s+word\s+for|"
    r"comment\s+(?:on\s+)?dit[- ]on|comment\s+on\s+dit|comment\s+dire|come\s+si\s+dice|"
    r"come\s+dire)\b"
)

# Accounts a car brand does not hold, whoever the company.
_FOREIGN_ACCOUNT = re.compile(
    r"\b(?:banks?|banque|banca|banco|bancaire|bancario|bancaria|mortgage|mutuo|"
    r"pret\s+immo(?:bilier)?|credit\s+immo(?:bilier)?|home\s+loan|house\s+loan|"
    r"pret\s+(?:habitat|maison|perso(?:nnel)?)|mutuo\s+(?:casa|prima\s+casa)|"
    r"prestito\s+personale|personal\s+loan|savings|livret|libretto|"
    r"conto\s+(?:corrente|deposito)|compte\s+(?:courant|epargne)|checking|current\s+account|"
    r"credit\s+card|carte\s+(?:de\s+credit|bancaire|bleue)|carta\s+di\s+credito|"
    r"student\s+loan|pret\s+etudiant|prestito\s+(?:universitario|studentesco)|isa|pension|"
    r"retraite|pensione|crypto|wallet\s+balance)\b"
)
# Lenders, banks and car makers customers name for their other accounts.
OTHER_COMPANIES = frozenset(
    [
        "cetelem",
        "sofinco",
        "cofidis",
        "franfinance",
        "diac",
        "mobilize",
        "santander",
        "bnp",
        "paribas",
        "lcl",
        "boursorama",
        "ing",
        "revolut",
        "n26",
        "monzo",
        "barclays",
        "hsbc",
        "lloyds",
        "natwest",
        "halifax",
        "amex",
        "visa",
        "mastercard",
        "unicredit",
        "intesa",
        "sanpaolo",
        "fineco",
        "bper",
        "mediolanum",
        "agos",
        "findomestic",
        "credem",
        "postepay",
        "paypal",
        "klarna",
        "nationwide",
        "starling",
        "citi",
        "citibank",
        "fortuneo",
        "hellobank",
        "bpm",
        "mps",
        "sella",
        "widiba",
        "younited",
        "oney",
        "floa",
        "toyota",
        "renault",
        "peugeot",
        "citroen",
        "fiat",
        "volkswagen",
        "vw",
        "bmw",
        "mercedes",
        "audi",
        "ford",
        "opel",
        "kia",
        "hyundai",
        "nissan",
        "tesla",
        "skoda",
        "dacia",
        "volvo",
        "stellantis",
        "lancia",
        "alfa",
        "jeep",
        "honda",
        "mazda",
        "suzuki",
        "byd",
        "porsche",
        "lexus",
        "cupra",
        "polestar",
    ]
)
# Names of two words, one of which alone is a common word ("société", "mutuel").
OTHER_COMPANY_NAMES = re.compile(
    r"\b(?:societe\s+generale|credit\s+agricole|credit\s+mutuel|wells\s+fargo|"
    r"banque\s+populaire|caisse\s+d'epargne|hello\s+bank)\b"
)
# "with <name> finance", "chez <name> banque": after a preposition, the name is another
# company's unless it is the brand's or a common word ("my current finance balance").
_NAMED_LENDER = re.compile(
    r"\b(?:with|at|from|by|through|via|chez|aupres\s+de|avec|par|con|presso|da|tramite)\s+"
    r"([a-z0-9]+)\s+(?:finance|financial|financial\s+services|bank|banque|banca|credit|"
    r"leasing|lease|financement|finanziamenti|financiaciones)\b"
)
_GENERIC = frozenset(
    [
        "my",
        "your",
        "our",
        "the",
        "a",
        "an",
        "car",
        "auto",
        "vehicle",
        "motor",
        "de",
        "du",
        "la",
        "le",
        "mon",
        "ma",
        "mes",
        "votre",
        "vos",
        "notre",
        "il",
        "lo",
        "la",
        "mio",
        "mia",
        "tuo",
        "tua",
        "vostro",
        "vostra",
        "nostro",
        "auto",
        "voiture",
        "macchina",
        "this",
        "that",
        "with",
        "at",
        "from",
        "du",
        "au",
        "chez",
        "con",
        "presso",
        "da",
        "in",
        "del",
        "della",
        "dal",
        "dalla",
        "con",
        "your",
        "personal",
        "consumer",
    ]
)


def asks_general_task(text: str) -> bool:
    """Arithmetic, translation or market prices: a general assistant's task, not a
    brand's."""
    folded = fold(text)
    return bool(_ARITHMETIC.search(folded) or _TRANSLATION.search(folded) or _MARKET.search(folded))


def own_names(brand: str, names: Iterable[str]) -> frozenset[str]:
    """The words that name the brand itself: its slug's words, its bot's and products'
    names and aliases."""
    words = set(re.findall(r"[a-z0-9]+", fold(brand)))
    for name in names:
        words.update(re.findall(r"[a-z0-9]+", fold(name)))
    return frozenset(words)


def names_other_company(text: str, own: frozenset[str]) -> bool:
    """Whether the message is about an account at another company than the brand."""
    folded = fold(text)
    if _FOREIGN_ACCOUNT.search(folded):
        return True
    words = set(re.findall(r"[a-z0-9]+", folded))
    if (words & OTHER_COMPANIES) - own or OTHER_COMPANY_NAMES.search(folded):
        return True
    return any(
        (name := m.group(1)) not in own and name not in _GENERIC
        for m in _NAMED_LENDER.finditer(folded)
    )
