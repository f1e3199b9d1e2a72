"""The catalog admin page (/admin/catalog) in Chromium against the real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from vitrina.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_admin_signs_in_edits_as_json_and_dry_runs_an_import(
    new_page: Callable[..., Page], base_url: str, screenshots: Path
) -> None:
    page = new_page()
    page.goto(f"{base_url}/admin/catalog")
    page.get_by_label("Email").fill("admin@aurora-motors.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    rows = page.locator("#products tr")
    rows.first.wait_for()
    assert [rows.nth(i).locator("td").first.text_content() for i in range(3)] == [
        "aurora-e1",
        "aurora-gt",
        "aurora-wallbox",
    ]
    rows.nth(2).click()
    product = json.loads(page.get_by_label("Product JSON").input_value())
    assert product["slug"] == "aurora-wallbox"
    assert product["base_price"] == "899.00"
    assert [e["part"] for e in product["explainers"]] == ["status_light", "display", "connector"]

    # A dry run reports what an import would change without writing anything.
    page.get_by_label("Import content").fill("slug,base_price,stock\naurora-wallbox,949.00,40\n")
    page.get_by_role("button", name="Import").click()
    output = page.locator("#output")
    output.filter(has_text="dry_run").wait_for()
    report = json.loads(output.text_content() or "{}")
    assert report["dry_run"] is True
    assert [(r["slug"], r["action"]) for r in report["rows"]] == [("aurora-wallbox", "update")]
    page.screenshot(path=str(screenshots / "catalog-admin.png"))

    page.get_by_role("button", name="Load products").click()
    rows.first.wait_for()
    assert "899.00 EUR" in (rows.nth(2).text_content() or "")
