"""The optional generative answerer against an OpenAI-compatible HTTP server started by
the test (a real server on loopback, answering from what it is sent): answers are used
only when grounded in the retrieved articles and citing them; otherwise, and when the
server fails, the bot quotes the article as it does without a generator."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.bot.helpers import say, setup_brand, start
from vitrina.bot import service as bot
from vitrina.bot.generator import OpenAICompatible
from vitrina.services import services_of

INVENTED = "The showroom is open every day from 6:00 to midnight."


@dataclass
class ChatServer:
    """What the server received, and how it should answer the next requests."""

    url: str
    mode: str = "grounded"
    requests: list[dict[str, Any]] = field(default_factory=list)


def _reply(mode: str, system: str) -> tuple[int, dict[str, Any]]:
    if mode == "error":
        return 500, {"error": {"message": "overloaded"}}
    if mode == "uncited":
        content = INVENTED
    elif mode == "foreign_citation":
        content = f"{INVENTED} [7]"
    else:
        # Like a faithful model: the first sentence of the first article, cited.
        body = system.split("[1] ", 1)[1].split("\n", 2)[1]
        content = re.split(r"(?<=[.!?])\s", body)[0] + " [1]"
    return 200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            status, payload = _reply(state.mode, body["messages"][0]["content"])
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _runtime(app: FastAPI, server: ChatServer) -> bot.Runtime:
    return bot.Runtime(
        cache_dir=services_of(app).bot.cache_dir,
        content_dir=services_of(app).bot.content_dir,
        generator=OpenAICompatible(
            base_url=server.url, model="local-model", api_key="test-key", timeout_s=5
        ),
    )


async def test_a_generated_answer_is_grounded_in_the_articles_and_cites_them(
    app: FastAPI, db: AsyncSession, chat_server: ChatServer
) -> None:
    await setup_brand(db)
    conversation = await start(app, db)
    runtime = _runtime(app, chat_server)
    turn, text = await say(
        app, db, conversation, "Quali sono gli orari di apertura?", runtime=runtime
    )
    article = services_of(app).bot.content("aurora-motors").article("opening-hours")
    first_sentence = re.split(r"(?<=[.!?])\s", article.body.it)[0]
    assert text == f"{first_sentence} [1]\nFonte: Orari di apertura"
    assert turn.citations == ["opening-hours"]

    (request,) = chat_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer test-key"
    assert request["body"]["model"] == "local-model"
    system, user = request["body"]["messages"]
    assert user == {"role": "user", "content": "Quali sono gli orari di apertura?"}
    # Only retrieved articles, in the customer's language, the answering one first.
    assert 1 <= len(re.findall(r"^\[\d\] ", system["content"], re.M)) <= 3
    assert f"[1] Orari di apertura\n{article.body.it}" in system["content"]
    assert "in Italian" in system["content"]


@pytest.mark.parametrize("mode", ["uncited", "foreign_citation", "error"])
async def test_an_ungrounded_or_failed_generation_falls_back_to_the_article(
    app: FastAPI, db: AsyncSession, chat_server: ChatServer, mode: str
) -> None:
    await setup_brand(db)
    chat_server.mode = mode
    conversation = await start(app, db)
    turn, text = await say(
        app, db, conversation, "What are your opening hours?", runtime=_runtime(app, chat_server)
    )
    assert len(chat_server.requests) == 1
    article = services_of(app).bot.content("aurora-motors").article("opening-hours")
    assert text == f"{article.body.en}\nSource: Opening hours"
    assert INVENTED not in text
    assert turn.citations == ["opening-hours"]


def test_the_generator_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VITRINA_BOT_GENERATOR_URL", raising=False)
    assert bot.BotSettings().generator() is None
    monkeypatch.setenv("VITRINA_BOT_GENERATOR_URL", "http://127.0.0.1:9/v1")
    assert isinstance(bot.BotSettings().generator(), OpenAICompatible)
