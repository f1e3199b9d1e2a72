from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.content import (
    CONTENT_ROOT,
    LANGS,
    REQUIRED_RESPONSES,
    BrandContent,
    ContentError,
    load_folder,
)
from vitrina.bot.demo import check_bot_content
from vitrina.brands.demo import ensure_demo_brand


def test_demo_brand_speaks_three_languages_everywhere(aurora: BrandContent) -> None:
    for key, texts in aurora.responses.items():
        assert all(getattr(texts, lang) for lang in LANGS), key
    for article in aurora.articles:
        assert all(getattr(article.body, lang) for lang in LANGS), article.id
    for intent in aurora.intents:
        assert all(getattr(intent.examples, lang) for lang in LANGS), intent.name
    topics = {a.id for a in aurora.articles}
    assert {"opening-hours", "financing", "test-drives", "warranty", "electric-range"} <= topics
    assert {"charging", "trade-in", "delivery", "returns"} <= topics
    assert set(REQUIRED_RESPONSES) <= set(aurora.responses)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "aurora-motors"
    shutil.copytree(CONTENT_ROOT / "aurora-motors", folder)
    return folder


def test_an_error_names_the_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kb.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: warranty")
    lines[at] = "  - id: Not A Valid Id"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_folder(folder)
    assert any(f"kb.yaml:{at + 1}: articles.4.id" in p for p in caught.value.problems)


def test_a_dangling_reference_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "intents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("article: warranty", "article: guarantees"),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="no article 'guarantees'"):
        load_folder(folder)


def test_broken_yaml_points_at_the_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "settings.yaml").write_text("settings:\n  bot_name: [Nova\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"settings\.yaml:\d+"):
        load_folder(folder)


async def test_the_demo_seeder_checks_the_content(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    line = await check_bot_content(db)
    assert line.startswith(
        "bot Nova: 23 intents, 12 articles, flows book_test_drive, reschedule_appointment"
    )
