"""The demo brand's bot content: checked when `vitrina demo` runs, so a content mistake
shows up at seeding time with its file and line rather than at the first question."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.content import CONTENT_ROOT, load_folder
from vitrina.brands import service as brands

DEMO_BRAND = "aurora-motors"


async def check_bot_content(db: AsyncSession) -> str:
    if await brands.get_by_slug(db, slug=DEMO_BRAND) is None:
        return "bot content skipped (no demo brand)"
    # An invalid file raises ContentError, naming the file and line, and stops the demo.
    content = load_folder(CONTENT_ROOT / DEMO_BRAND)
    flows = ", ".join(f.name for f in content.flows)
    return (
        f"bot {content.settings.bot_name}: {len(content.intents)} intents, "
        f"{len(content.articles)} articles, flows {flows} "
        f"({'/'.join(content.settings.languages)})"
    )
