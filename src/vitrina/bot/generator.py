"""Optional generative answers from an OpenAI-compatible chat-completions server.

Off unless `VITRINA_BOT_GENERATOR_URL` names a server (a local one such as llama.cpp's
or vLLM's, or a hosted one). The bot works fully without it: it then quotes the article.

Grounding: the model sees only the articles retrieval found for the question, numbered,
and must cite them as [1], [2]. An answer is used only if it cites at least one of them
and cites nothing else; otherwise (no citation, "NO_ANSWER", an error, a timeout) the bot
quotes the best article as it would without a generator. The cited articles are named
under the answer ("Source: ...") and listed in the message's `data.citations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import structlog

from vitrina.bot.content import Article

log = structlog.get_logger(__name__)

NO_ANSWER = "NO_ANSWER"
_CITATION = re.compile(r"\[(\d+)\]")
LANGUAGE_NAMES = {"en": "English", "fr": "French", "it": "Italian"}
SYSTEM_PROMPT = (
    "You are the customer-service assistant of a brand. Answer the customer's question "
    "using only the numbered articles below, in {language}, in at most three sentences. "
    "After each statement, cite the article it comes from as [1], [2]... "
    f"If the articles do not answer the question, reply exactly {NO_ANSWER}. "
    "Never add facts, prices, dates or promises that are not in the articles."
)


@dataclass(frozen=True, slots=True)
class Generated:
    text: str
    cited: list[Article]


class Answerer(Protocol):
    async def answer(
        self, question: str, articles: list[Article], *, language: str
    ) -> Generated | None: ...


def grounded(reply: str, articles: list[Article]) -> Generated | None:
    """The reply if it cites only the given articles, and at least one; else None."""
    text = reply.strip()
    if not text or NO_ANSWER in text:
        return None
    numbers = [int(n) for n in _CITATION.findall(text)]
    if not numbers or any(not 1 <= n <= len(articles) for n in numbers):
        return None
    cited = [articles[n - 1] for n in dict.fromkeys(numbers)]
    return Generated(text=text, cited=cited)


def prompt(question: str, articles: list[Article], language: str) -> list[dict[str, str]]:
    numbered = "\n\n".join(
        f"[{i}] {a.title.get(language)}\n{a.body.get(language)}"
        for i, a in enumerate(articles, start=1)
    )
    system = SYSTEM_PROMPT.format(language=LANGUAGE_NAMES.get(language, "English"))
    return [
        {"role": "system", "content": f"{system}\n\nArticles:\n\n{numbered}"},
        {"role": "user", "content": question},
    ]


class OpenAICompatible:
    """POST {base_url}/chat/completions, as OpenAI's API and its local look-alikes take it."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout_s
        self._transport = transport

    async def answer(
        self, question: str, articles: list[Article], *, language: str
    ) -> Generated | None:
        if not articles:
            return None
        body: dict[str, Any] = {
            "model": self.model,
            "messages": prompt(question, articles, language),
            "temperature": 0,
        }
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.post(self.url, json=body, headers=self._headers)
                response.raise_for_status()
                content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            # The generator is an extra: any failure falls back to quoting the article.
            log.warning("bot_generator_failed", url=self.url, error=str(exc)[:200])
            return None
        if not isinstance(content, str):
            return None
        result = grounded(content, articles)
        if result is None:
            log.info("bot_generator_ungrounded", url=self.url)
        return result
