"""The configurator engine: choice limits, requires / excludes / only_with, exact prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vitrina.catalog.rules import Configurator, UnknownOptions
from vitrina.catalog.schemas import OptionGroupIn, RuleIn, Text


def _group(gid: str, options: dict[str, str], *, lo: int = 0, hi: int = 1) -> OptionGroupIn:
    return OptionGroupIn(
        id=gid,
        name=Text(en=gid.title(), fr=f"{gid} (fr)", it=f"{gid} (it)"),
        min_choices=lo,
        max_choices=hi,
        options=[
            {"id": oid, "name": {"en": oid.upper()}, "price_delta": price}
            for oid, price in options.items()
        ],
    )


def _car() -> Configurator:
    return Configurator(
        currency="EUR",
        base_price=Decimal("34900.00"),
        groups=[
            _group("paint", {"white": "0", "red": "1200.00"}, lo=1, hi=1),
            _group("wheels", {"aero": "0", "sport": "1500.00"}, lo=1, hi=1),
            _group("finish", {"black-rims": "300.00"}),
            _group("packs", {"winter": "700.00", "tow": "650.00", "perf": "3500.10"}, hi=3),
        ],
        rules=[
            RuleIn(id="black-only-sport", kind="only_with", option="black-rims", targets=["sport"]),
            RuleIn(id="perf-needs", kind="requires", option="perf", targets=["sport", "winter"]),
            RuleIn(id="perf-no-tow", kind="excludes", option="perf", targets=["tow"]),
        ],
    )


def test_valid_configuration_is_priced_exactly() -> None:
    result = _car().evaluate(["red", "sport", "perf", "winter"])
    assert result.valid
    assert result.lines == (
        ("red", Decimal("1200.00")),
        ("sport", Decimal("1500.00")),
        ("perf", Decimal("3500.10")),
        ("winter", Decimal("700.00")),
    )
    assert result.total == Decimal("41800.10")
    assert str(result.total) == "41800.10"


def test_each_rule_kind_is_explained_in_three_languages() -> None:
    result = _car().evaluate(["white", "aero", "black-rims", "perf", "tow"])
    by_rule = {f.rule_id: f for f in result.failures}
    assert set(by_rule) == {"black-only-sport", "perf-needs", "perf-no-tow"}
    assert by_rule["perf-needs"].option_ids == ("perf", "sport", "winter")
    assert by_rule["perf-needs"].messages["en"] == "“PERF” requires “SPORT” and “WINTER”."
    assert (
        by_rule["perf-no-tow"].messages["fr"] == "« PERF » ne peut pas être combiné avec « TOW »."
    )
    assert (
        by_rule["black-only-sport"].messages["it"] == "«BLACK-RIMS» è disponibile solo con «SPORT»."
    )


def test_choice_limits_of_a_group() -> None:
    result = _car().evaluate(["white", "red"])
    kinds = {(f.rule_id, f.kind) for f in result.failures}
    assert kinds == {("group:paint", "group_max"), ("group:wheels", "group_min")}
    wheels = next(f for f in result.failures if f.rule_id == "group:wheels")
    assert wheels.messages["en"] == "Choose a “Wheels” option."


def test_unknown_options_are_refused_not_ignored() -> None:
    with pytest.raises(UnknownOptions) as err:
        _car().evaluate(["white", "aero", "gold-plating"])
    assert err.value.option_ids == ["gold-plating"]


def test_repeated_option_counts_once() -> None:
    result = _car().evaluate(["white", "aero", "white"])
    assert result.valid and result.option_ids == ("white", "aero")
    assert result.total == Decimal("34900.00")


# --- property: the engine accepts exactly the configurations that satisfy every rule ----


@st.composite
def configurators(draw: st.DrawFn) -> tuple[Configurator, list[RuleIn], list[OptionGroupIn]]:
    n_options = draw(st.integers(min_value=2, max_value=12))
    option_ids = [f"o{i}" for i in range(n_options)]
    cuts = sorted(draw(st.sets(st.integers(1, n_options - 1), max_size=3)))
    groups = []
    for g, (start, end) in enumerate(zip([0, *cuts], [*cuts, n_options], strict=True)):
        size = end - start
        hi = draw(st.integers(1, size))
        lo = draw(st.integers(0, hi))
        prices = {
            oid: str(draw(st.decimals(0, 5000, places=2, allow_nan=False)))
            for oid in option_ids[start:end]
        }
        groups.append(_group(f"g{g}", prices, lo=lo, hi=hi))
    rules = []
    for r in range(draw(st.integers(0, 8))):
        option = draw(st.sampled_from(option_ids))
        others = [o for o in option_ids if o != option]
        targets = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        kind = draw(st.sampled_from(["requires", "excludes", "only_with"]))
        rules.append(RuleIn(id=f"r{r}", kind=kind, option=option, targets=targets))
    configurator = Configurator(
        currency="EUR", base_price=Decimal("100.00"), groups=groups, rules=rules
    )
    return configurator, rules, groups


def _satisfies(selected: set[str], rules: list[RuleIn], groups: list[OptionGroupIn]) -> bool:
    """An independent statement of what each rule means."""
    for group in groups:
        count = sum(1 for o in group.options if o.id in selected)
        if not group.min_choices <= count <= group.max_choices:
            return False
    for rule in rules:
        if rule.option not in selected:
            continue
        if rule.kind == "requires" and not all(t in selected for t in rule.targets):
            return False
        if rule.kind == "only_with" and not any(t in selected for t in rule.targets):
            return False
        if rule.kind == "excludes" and any(t in selected for t in rule.targets):
            return False
    return True


@settings(max_examples=400, deadline=None)
@given(data=st.data(), built=configurators())
def test_accepted_configurations_satisfy_every_rule(
    data: st.DataObject, built: tuple[Configurator, list[RuleIn], list[OptionGroupIn]]
) -> None:
    configurator, rules, groups = built
    all_ids = sorted(configurator.deltas)
    selection = data.draw(st.lists(st.sampled_from(all_ids), unique=True))
    result = configurator.evaluate(selection)
    assert result.valid == _satisfies(set(selection), rules, groups)
    # Every reported failure names a real rule or group, and explains itself in each locale.
    known = {r.id for r in rules} | {f"group:{g.id}" for g in groups}
    for failure in result.failures:
        assert failure.rule_id in known
        assert all(failure.messages[loc] for loc in ("en", "fr", "it"))
    assert result.total == Decimal("100.00") + sum(
        (configurator.deltas[o] for o in selection), Decimal(0)
    )
