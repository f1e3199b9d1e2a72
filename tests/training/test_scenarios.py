"""Scenarios are data: the shipped ones are valid, and an invalid one is refused with the
line and column of the YAML node at fault."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import seed_demo, staff_headers
from tests.training.conftest import BRAND
from vitrina.training.nlu import BotReader
from vitrina.training.scenario import (
    LANGS,
    Context,
    ScenarioInvalid,
    parse_scenario,
)
from vitrina.training.service import shipped_sources


def _problems(source: str, context: Context | None = None) -> list[tuple[int, int, str, str]]:
    with pytest.raises(ScenarioInvalid) as caught:
        parse_scenario(source, context)
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def _line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


def test_shipped_scenarios_are_valid_against_the_brands_content(reader: BotReader) -> None:
    content = reader.content(BRAND)
    assert content is not None
    context = Context(
        zones=frozenset({"entrance", "showroom", "lounge"}),
        products=frozenset({"aurora-e1", "aurora-gt", "aurora-wallbox"}),
        intents=frozenset(i.name for i in content.intents),
        articles=frozenset(a.id for a in content.articles),
    )
    sources = shipped_sources(BRAND)
    assert {"late-delivery", "financing-question"} <= sources.keys()
    for source in sources.values():
        scenario = parse_scenario(source, context)
        # Every line the customer says exists in the three languages.
        for step in scenario.steps.values():
            assert all(step.customer.get(lang) for lang in LANGS)


def test_a_wrong_value_is_reported_at_its_line_and_column(late_delivery_source: str) -> None:
    source = late_delivery_source.replace("mood: angry\n", "mood: livid\n", 1)
    line = _line_of(source, "mood: livid")
    problems = _problems(source)
    assert len(problems) == 1
    got_line, column, path, message = problems[0]
    assert (got_line, path) == (line, "scenario.persona.mood")
    assert column == source.splitlines()[line - 1].index("livid") + 1
    assert "calm" in message


def test_a_branch_to_a_missing_step_points_at_its_goto(late_delivery_source: str) -> None:
    source = late_delivery_source.replace("goto: cold_facts", "goto: cold_fact", 1)
    line = _line_of(source, "goto: cold_fact")
    problems = _problems(source)
    assert (line, "scenario.steps.opening.branches.2.goto") in [(p[0], p[2]) for p in problems]
    assert any("no step named 'cold_fact'" in p[3] for p in problems)


def test_a_missing_language_points_at_the_mapping_that_lacks_it(
    late_delivery_source: str,
) -> None:
    needle = '        it: "Mi sta almeno ascoltando? Dov\'è la mia auto?"\n'
    assert needle in late_delivery_source
    source = late_delivery_source.replace(needle, "", 1)
    en_line = _line_of(source, "Are you even listening to me?")
    problems = _problems(source)
    assert [(p[0], p[2], p[3]) for p in problems] == [
        (en_line, "scenario.steps.ignored.customer.it", "Field required")
    ]


def test_a_bad_regex_and_an_unknown_label_are_each_at_their_node(
    late_delivery_source: str,
) -> None:
    source = late_delivery_source.replace(
        "when: {labels: [empathy]}\n          goto: listening\n        - when: {labels: [identity_check]}\n          goto: verify\n      otherwise: leaves\n    cold_facts:",
        "when: {labels: [empathie]}\n          goto: listening\n        - when: {labels: [identity_check]}\n          goto: verify\n      otherwise: leaves\n    cold_facts:",
        1,
    )
    assert "empathie" in source
    problems = _problems(source)
    line = _line_of(source, "empathie")
    assert (line, "scenario.steps.ignored.branches.0.when.labels.0") in [
        (p[0], p[2]) for p in problems
    ]
    bad = late_delivery_source.replace('regex: "18 ?(dec', 'regex: "18 ?((dec', 1)
    problems = _problems(bad)
    assert problems[0][0] == _line_of(bad, "18 ?((dec")
    assert "invalid regular expression" in problems[0][3]


def test_yaml_syntax_errors_and_duplicate_keys_carry_their_position() -> None:
    problems = _problems("scenario:\n  slug: x\n  title: [unclosed\n")
    assert problems[0][0] >= 3
    dup = "scenario:\n  slug: a\n  slug: b\n"
    problems = _problems(dup)
    assert problems[0][0] == 3
    assert "duplicate" in problems[0][3]


def test_references_outside_the_scenario_are_checked_when_known(
    financing_source: str,
) -> None:
    context = Context(
        zones=frozenset({"entrance"}),
        products=frozenset(),
        intents=frozenset({"greeting"}),
        articles=frozenset(),
    )
    paths = {p[2]: p[3] for p in _problems(financing_source, context)}
    assert "scenario.room.zone" in paths
    assert "scenario.room.products.0" in paths
    assert "scenario.steps.opening.branches.1.when.intents.0" in paths
    assert paths["scenario.rubric.1.article"] == "no knowledge-base article 'financing'"


async def test_the_api_refuses_an_invalid_scenario_with_line_precise_problems(
    app: FastAPI, client: AsyncClient, db: AsyncSession, late_delivery_source: str
) -> None:
    await seed_demo(db)
    headers = await staff_headers(client, db, roles=["supervisor"])
    bad = late_delivery_source.replace("patience_s: 40", "patience_s: 1", 1)
    line = _line_of(bad, "patience_s: 1")
    checked = await client.post(
        f"/api/training/brands/{BRAND}/scenarios/validate", json={"source": bad}, headers=headers
    )
    assert checked.status_code == 200
    body = checked.json()
    assert body["valid"] is False
    assert body["problems"][0]["line"] == line
    assert body["problems"][0]["path"] == "scenario.persona.patience_s"
    saved = await client.put(
        f"/api/training/brands/{BRAND}/scenarios/late-delivery",
        json={"source": bad},
        headers=headers,
    )
    assert saved.status_code == 422
    assert saved.headers["content-type"].startswith("application/problem+json")
    assert saved.json()["code"] == "training_scenario_invalid"
    assert saved.json()["problems"][0]["line"] == line
    # Nothing half-written: the stored scenario is still the shipped one.
    stored = await client.get(
        f"/api/training/brands/{BRAND}/scenarios/late-delivery", headers=headers
    )
    assert stored.json()["source"] == late_delivery_source
    good = late_delivery_source.replace("patience_s: 40", "patience_s: 30", 1)
    saved = await client.put(
        f"/api/training/brands/{BRAND}/scenarios/late-delivery",
        json={"source": good},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    listed = await client.get(
        f"/api/training/brands/{BRAND}/scenarios", params={"language": "fr"}, headers=headers
    )
    titles = {s["slug"]: s["title"] for s in listed.json()}
    assert titles["late-delivery"] == "Client en colère : une livraison en retard"
