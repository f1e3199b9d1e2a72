"""The configurator engine: one small evaluator for choice limits, rules and prices.

A product's configurator is compiled once into plain tuples and dicts; evaluating a
selection is then a single pass over the rules, with explanations built only for the
rules that fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from vitrina.catalog import money
from vitrina.catalog.schemas import LOCALES, OptionGroupIn, RuleIn, Text

_AND = {"en": " and ", "fr": " et ", "it": " e "}
_OR = {"en": " or ", "fr": " ou ", "it": " o "}
_QUOTES = {"en": ("“", "”"), "fr": ("« ", " »"), "it": ("«", "»")}
_TEMPLATES: dict[str, dict[str, str]] = {
    "requires": {
        "en": "{option} requires {targets}.",
        "fr": "{option} nécessite {targets}.",
        "it": "{option} richiede {targets}.",
    },
    "only_with": {
        "en": "{option} is only available with {targets}.",
        "fr": "{option} n'est disponible qu'avec {targets}.",
        "it": "{option} è disponibile solo con {targets}.",
    },
    "excludes": {
        "en": "{option} cannot be combined with {targets}.",
        "fr": "{option} ne peut pas être combiné avec {targets}.",
        "it": "{option} non può essere combinato con {targets}.",
    },
    "group_min": {
        "en": "Choose at least {n} “{group}” options.",
        "fr": "Choisissez au moins {n} options « {group} ».",
        "it": "Scegli almeno {n} opzioni «{group}».",
    },
    "group_min_one": {
        "en": "Choose a “{group}” option.",
        "fr": "Choisissez une option « {group} ».",
        "it": "Scegli un'opzione «{group}».",
    },
    "group_max": {
        "en": "Choose at most {n} “{group}” options.",
        "fr": "Choisissez au plus {n} options « {group} ».",
        "it": "Scegli al massimo {n} opzioni «{group}».",
    },
    "group_max_one": {
        "en": "Choose only one “{group}” option.",
        "fr": "Choisissez une seule option « {group} ».",
        "it": "Scegli una sola opzione «{group}».",
    },
}


class UnknownOptions(ValueError):
    def __init__(self, option_ids: list[str]) -> None:
        super().__init__(", ".join(option_ids))
        self.option_ids = option_ids


@dataclass(frozen=True, slots=True)
class Failure:
    rule_id: str
    kind: str
    option_ids: tuple[str, ...]
    messages: dict[str, str]


@dataclass(frozen=True, slots=True)
class Evaluation:
    option_ids: tuple[str, ...]
    failures: tuple[Failure, ...]
    base: Decimal
    lines: tuple[tuple[str, Decimal], ...]
    total: Decimal
    currency: str

    @property
    def valid(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    kind: str
    option: str
    targets: tuple[str, ...]
    message: Text | None


@dataclass(frozen=True, slots=True)
class _Group:
    id: str
    name: Text
    min_choices: int
    max_choices: int
    option_ids: frozenset[str]


class Configurator:
    """A compiled product configurator; `evaluate` is pure and safe to share."""

    def __init__(
        self,
        *,
        currency: str,
        base_price: Decimal,
        groups: Sequence[OptionGroupIn],
        rules: Sequence[RuleIn],
    ) -> None:
        self.currency = currency
        self.base_price = base_price
        self.deltas: dict[str, Decimal] = {}
        self.names: dict[str, Text] = {}
        self.group_of: dict[str, str] = {}
        self.groups: tuple[_Group, ...] = tuple(
            _Group(g.id, g.name, g.min_choices, g.max_choices, frozenset(o.id for o in g.options))
            for g in groups
        )
        for group in groups:
            for option in group.options:
                self.deltas[option.id] = money.parse_amount(
                    option.price_delta, currency=currency, field=f"options.{option.id}.price_delta"
                )
                self.names[option.id] = option.name
                self.group_of[option.id] = group.id
        self.rules: tuple[_Rule, ...] = tuple(
            _Rule(r.id, r.kind, r.option, tuple(r.targets), r.message) for r in rules
        )
        # Rules indexed by the option that triggers them: only chosen options' rules run.
        self._rules_by_option: dict[str, tuple[_Rule, ...]] = {}
        for rule in self.rules:
            self._rules_by_option[rule.option] = (*self._rules_by_option.get(rule.option, ()), rule)

    def unknown(self, option_ids: Iterable[str]) -> list[str]:
        return [o for o in option_ids if o not in self.deltas]

    def evaluate(self, option_ids: Sequence[str]) -> Evaluation:
        chosen = tuple(dict.fromkeys(option_ids))
        missing = self.unknown(chosen)
        if missing:
            raise UnknownOptions(missing)
        selected = frozenset(chosen)
        failures: list[Failure] = []
        for group in self.groups:
            count = len(group.option_ids & selected)
            if count < group.min_choices:
                failures.append(self._group_failure(group, "group_min", group.min_choices, ()))
            elif count > group.max_choices:
                picked = tuple(o for o in chosen if o in group.option_ids)
                failures.append(self._group_failure(group, "group_max", group.max_choices, picked))
        for option in chosen:
            for rule in self._rules_by_option.get(option, ()):
                failure = self._check(rule, selected)
                if failure is not None:
                    failures.append(failure)
        lines = tuple((o, self.deltas[o]) for o in chosen)
        total = self.base_price + sum((d for _, d in lines), Decimal(0))
        return Evaluation(chosen, tuple(failures), self.base_price, lines, total, self.currency)

    def explain(self, rule_id: str) -> dict[str, str]:
        """The rule in words, per locale, as shown next to the options it concerns."""
        rule = next(r for r in self.rules if r.id == rule_id)
        joiner = _OR if rule.kind == "only_with" else _AND
        return self._rule_failure(rule, list(rule.targets), joiner).messages

    def _check(self, rule: _Rule, selected: frozenset[str]) -> Failure | None:
        if rule.kind == "requires":
            absent = [t for t in rule.targets if t not in selected]
            if absent:
                return self._rule_failure(rule, absent, _AND)
        elif rule.kind == "only_with":
            if not any(t in selected for t in rule.targets):
                return self._rule_failure(rule, list(rule.targets), _OR)
        elif rule.kind == "excludes":
            clashing = [t for t in rule.targets if t in selected]
            if clashing:
                return self._rule_failure(rule, clashing, _AND)
        return None

    def _rule_failure(self, rule: _Rule, others: list[str], joiner: dict[str, str]) -> Failure:
        if rule.message is not None:
            messages = {loc: rule.message.get(loc) for loc in LOCALES}
        else:
            messages = {
                loc: _TEMPLATES[rule.kind][loc].format(
                    option=self._name(rule.option, loc),
                    targets=joiner[loc].join(self._name(o, loc) for o in others),
                )
                for loc in LOCALES
            }
        return Failure(rule.id, rule.kind, (rule.option, *others), messages)

    def _group_failure(self, group: _Group, kind: str, n: int, picked: tuple[str, ...]) -> Failure:
        templates = _TEMPLATES[f"{kind}_one" if n == 1 else kind]
        messages = {loc: templates[loc].format(n=n, group=group.name.get(loc)) for loc in LOCALES}
        return Failure(f"group:{group.id}", kind, picked, messages)

    def _name(self, option_id: str, locale: str) -> str:
        name = self.names.get(option_id)
        opening, closing = _QUOTES[locale]
        return f"{opening}{name.get(locale) if name else option_id}{closing}"
