"""Choosing a persona in the storefront's "For you", in real Chromium: the demo brand's
three personas in the visitor's language, the greeter's line and the suggestions follow
the choice at once, it holds across a reload for the visit without consent, and is kept
by the server (and survives a new visit) once personal suggestions are allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_store, until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
SLUG = "aurora-motors"


def api(page: Page, path: str) -> Any:
    return page.evaluate(
        "async (path) => (await fetch(path, {credentials: 'same-origin'})).json()", path
    )


def first_suggestion(page: Page) -> str:
    return str(
        until(
            page,
            "() => document.querySelector('[data-testid=for-you] li[data-product]')"
            "?.dataset.product",
        )
    )


def test_a_visitor_chooses_a_persona_and_the_store_follows(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    open_store(page, base_url, "?mode=2d&lang=fr")
    page.get_by_test_id("consent-refuse").click()
    page.get_by_test_id("consent-prompt").wait_for(state="hidden")

    chooser = page.get_by_test_id("persona-chooser")
    expect(chooser).to_be_visible()
    names = chooser.locator("option").all_text_contents()
    assert names == [
        "Un peu de tout",
        "Ma première voiture électrique",
        "Une voiture familiale",
        "Performance",
    ]

    chooser.select_option("performance")
    greeter = page.get_by_test_id("greeter-suggestion")
    expect(greeter).to_contain_text("La GT : de 0 à 100 km/h en 4,1 s")
    until(
        page,
        "() => document.querySelector('[data-testid=for-you] li[data-product=aurora-gt]')"
        " === document.querySelector('[data-testid=for-you] li[data-product]')",
    )
    top = page.locator("[data-testid=for-you] li[data-product=aurora-gt]")
    expect(top.locator("details.why p")).to_contain_text("Correspond à votre choix : Performance")

    # Without consent to personal suggestions the server keeps nothing, and the choice
    # still holds for the rest of the visit.
    assert api(page, f"/api/insights/brands/{SLUG}/persona") == {
        "persona": None,
        "stored": False,
    }
    page.reload()
    until(page, "() => !!window.__vitrina")
    expect(page.get_by_test_id("persona-chooser")).to_have_value("performance")
    assert first_suggestion(page) == "aurora-gt"

    # Changing it is one choice away: the family leans to the E1 first.
    page.get_by_test_id("persona-chooser").select_option("family")
    expect(page.get_by_test_id("greeter-suggestion")).to_contain_text("Cinq places dans l'E1")
    until(
        page,
        "() => document.querySelector('[data-testid=for-you] li[data-product]')"
        "?.dataset.product === 'aurora-e1'",
    )


def test_with_consent_the_choice_is_kept_by_the_server(new_page: NewPage, base_url: str) -> None:
    page = new_page()
    open_store(page, base_url, "?mode=2d&lang=en")
    page.get_by_test_id("consent-accept").click()
    page.get_by_test_id("consent-prompt").wait_for(state="hidden")
    page.get_by_test_id("persona-chooser").select_option("first-electric")
    until(
        page,
        f"async () => (await (await fetch('/api/insights/brands/{SLUG}/persona')).json())"
        ".stored === true",
    )
    assert api(page, f"/api/insights/brands/{SLUG}/persona") == {
        "persona": "first-electric",
        "stored": True,
    }
    expect(page.get_by_test_id("greeter-suggestion")).to_contain_text("New to electric?")
    # A new visit of the same visitor (same session) finds it again.
    page.goto(f"{base_url}/store/{SLUG}?mode=2d&lang=en", wait_until="domcontentloaded")
    until(page, "() => !!window.__vitrina")
    expect(page.get_by_test_id("persona-chooser")).to_have_value("first-electric")
