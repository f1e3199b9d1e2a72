"""The dialogue engine: one customer message in, the bot's replies out.

Flows from the content run as state machines over the persisted `BotConversation`:
ask for each missing slot, confirm, act. At any point the customer may ask for a human,
cancel, or digress (ask something else, or start another flow); a digression is answered
and the interrupted flow resumes where it was. Actions on other domains go through the
`Actions` protocol, implemented with their service modules in `actions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from vitrina.bot.brain import Brain, Understanding
from vitrina.bot.content import Article, Flow, Intent
from vitrina.bot.cues import asks_for_person, ends_flow
from vitrina.bot.generator import Answerer
from vitrina.bot.models import BotConversation
from vitrina.bot.policy import OUT_OF_SCOPE, Decision, decide
from vitrina.bot.slots import extract_slot, fold, yes_no

CONFIRM = "confirm"
# Slots the engine keeps for itself (never shown, never in the handoff summary): what
# the flow acts on (an appointment), and what the action prepared (a free slot).
TARGET = "_target"
PREPARED = "_prepared"
# In a failed `Actions.target` result: the flow may go on once the customer is verified.
NEEDS_VERIFICATION = "needs_verification"
# In a failed `Actions.run` result: what the flow acts on is gone (changed meanwhile).
GONE = "gone"
VERIFY = "verify"
# Outside a flow: the bot offered a human, and a plain "yes" accepts.
OFFERED_HUMAN = "offered_human"


@dataclass
class ActionResult:
    ok: bool
    values: dict[str, str] = field(default_factory=dict)


class Actions(Protocol):
    async def verified_identity(self) -> str | None: ...

    async def target(self, flow: Flow, language: str) -> ActionResult:
        """What the flow will act on (the customer's appointment), found before the bot
        asks anything; ok with no values for flows that act on nothing existing."""
        ...

    async def prepare(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult: ...

    async def run(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult: ...

    async def handoff(self, *, reason: str, summary: dict[str, Any]) -> bool: ...


@dataclass
class Turn:
    replies: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    handoff: bool = False
    intent: str | None = None
    confidence: float | None = None
    # What the bot did with the message, for evaluation and the handoff summary:
    # "flow:<name>" (a task started), "article:<id>", "response:<key>", "handoff",
    # "clarify" (it asked which intent was meant), "out_of_scope", or "flow" (the
    # message went to a running flow).
    outcome: str | None = None


class Dialogue:
    def __init__(
        self,
        brain: Brain,
        state: BotConversation,
        actions: Actions,
        *,
        now: datetime,
        timezone: str,
        generator: Answerer | None = None,
    ) -> None:
        self.generator = generator
        self.brain = brain
        self.content = brain.content
        self.state = state
        self.actions = actions
        self.now = now
        self.timezone = timezone
        self.turn = Turn()

    @property
    def lang(self) -> str:
        return self.state.language

    def say(self, key: str, **values: object) -> None:
        self.turn.replies.append(self.content.say(key, self.lang, **values))

    async def respond(self, text: str) -> Turn:
        understood = self.brain.understand(text, current_language=self.state.language)
        self.state.language = understood.language
        self.turn.intent, self.turn.confidence = understood.intent, understood.confidence
        folded = fold(text).strip()
        offered = self.state.step == OFFERED_HUMAN and not self.state.flow
        if offered:
            self.state.step = None
        if asks_for_person(folded) or self._is_handoff(understood) or (offered and yes_no(text)):
            await self._handoff("customer asked for a person", text)
        elif self.state.flow and ends_flow(folded):
            self._end_flow()
            self.say("cancelled")
            self._resume_suspended()
        elif self.state.flow:
            self.turn.outcome = "flow"
            await self._continue_flow(text, understood)
        else:
            await self._answer(text, understood)
        return self.turn

    # -- outside a flow ------------------------------------------------------------

    def _is_handoff(self, understood: Understanding) -> bool:
        decision = self._decide(understood)
        return decision.kind == "act" and decision.intent is not None and decision.intent.handoff

    def _decide(self, understood: Understanding) -> Decision:
        return decide(
            self.content,
            understood.ranking,
            agrees=lambda name: self.brain.agrees(understood, name),
            general_task=understood.general_task,
            elsewhere=understood.elsewhere,
            existing=understood.existing,
        )

    async def _answer(self, text: str, understood: Understanding) -> None:
        decision = self._decide(understood)
        intent = decision.intent
        if decision.kind == "act" and intent is not None and self._agreed(intent, text):
            self.state.misunderstandings = 0
            await self._act_on(intent, text)
            return
        if decision.kind == "ask" and decision.options is not None:
            # A short question naming both readings, never a guessed action.
            self.state.misunderstandings = 0
            self._ask(*decision.options)
            return
        if decision.kind == "outside":
            self.say("out_of_scope")
            self.turn.outcome = "out_of_scope"
            return
        out_of_scope = intent is not None and intent.name == OUT_OF_SCOPE
        if not out_of_scope and await self._cite(text):
            self.state.misunderstandings = 0
            return
        self.state.misunderstandings += 1
        self.state.tried = [*self.state.tried, f"could not place: {text[:80]}"][-10:]
        if self.state.misunderstandings >= self.content.settings.handoff_after_misunderstandings:
            self.say("offer_human")
            self.state.step = OFFERED_HUMAN
            self.turn.outcome = "offer_human"
        elif (
            intent is not None
            and not out_of_scope
            and len(understood.ranking) > 1
            and understood.confidence >= self.content.settings.thresholds.ask
        ):
            self._ask(understood.ranking[0][0], understood.ranking[1][0])
        else:
            self.say("out_of_scope")
            self.turn.outcome = "out_of_scope"

    def _ask(self, first: str, second: str) -> None:
        """Ask which of two intents was meant: with the verbs of both when the content
        names them ("cancel your test drive, or move it?"), else with their topics."""
        verbs = [self.brain.verb(name, self.lang) for name in (first, second)]
        if verbs[0] and verbs[1]:
            self.say("disambiguate", first=verbs[0], second=verbs[1])
        else:
            labels = [self.brain.label(name, self.lang) for name in (first, second)]
            self.say("clarify", first=labels[0], second=labels[1])
        self.turn.outcome = "clarify"

    def _agreed(self, intent: Intent, text: str) -> bool:
        """A factual answer needs a sure classifier or the retriever's agreement."""
        if not intent.article:
            return True
        sure = self.brain.content.settings.thresholds.confident
        return self.turn.confidence is not None and (
            self.turn.confidence >= sure or self.brain.supports(text, intent.article)
        )

    async def _cite(self, text: str) -> bool:
        hit = self.brain.search(text)
        if hit is None:
            return False
        await self._inform(text, hit.article.id)
        return True

    async def _inform(self, text: str, article_id: str) -> None:
        """Answer from the knowledge base: with the optional generator, in its words
        grounded in the retrieved articles and citing them; else by quoting the article."""
        if self.generator is not None:
            generated = await self.generator.answer(
                text, self._context(text, article_id), language=self.lang
            )
            if generated is not None:
                self.turn.replies.append(generated.text)
                self.turn.outcome = f"article:{article_id}"
                for article in generated.cited:
                    self.say("source", title=article.title.get(self.lang))
                    self.turn.citations.append(article.id)
                    self.state.tried = [
                        *self.state.tried,
                        f"answered from article {article.id} (generated)",
                    ][-10:]
                return
        self._quote(article_id)

    def _context(self, text: str, article_id: str) -> list[Article]:
        """The article to answer from first, then up to two more that retrieval finds."""
        floor = self.content.settings.thresholds.kb_support
        ids = [article_id] + [
            h.article.id for h in self.brain.retriever.search(text, top=3) if h.score >= floor
        ]
        found = (self.content.article(i) for i in dict.fromkeys(ids))
        return [a for a in found if a is not None][:3]

    def _quote(self, article_id: str) -> None:
        article = self.content.article(article_id)
        if article is None:
            return
        self.turn.replies.append(article.body.get(self.lang))
        self.turn.outcome = f"article:{article.id}"
        self.say("source", title=article.title.get(self.lang))
        self.turn.citations.append(article.id)
        self.state.tried = [*self.state.tried, f"answered from article {article.id}"][-10:]

    async def _act_on(self, intent: Intent, text: str) -> None:
        self.state.last_intent = intent.name
        if intent.response:
            self.say(intent.response)
            self.turn.outcome = f"response:{intent.response}"
        elif intent.article:
            await self._inform(text, intent.article)
        elif intent.flow:
            flow = self.content.flow(intent.flow)
            if flow is not None:
                if self.state.flow:
                    self.state.suspended = [
                        *self.state.suspended,
                        {
                            "flow": self.state.flow,
                            "step": self.state.step,
                            "slots": self.state.slots,
                        },
                    ]
                self.state.flow, self.state.step, self.state.slots = flow.name, None, {}
                self.turn.outcome = f"flow:{flow.name}"
                self._fill(flow, text)
                await self._advance(flow)
        elif intent.handoff:
            await self._handoff(f"intent {intent.name}", text)

    # -- inside a flow -------------------------------------------------------------

    def _flow(self) -> Flow:
        flow = self.content.flow(self.state.flow or "")
        if flow is None:  # the content changed under a running conversation
            raise LookupError(self.state.flow)
        return flow

    async def _continue_flow(self, text: str, understood: Understanding) -> None:
        try:
            flow = self._flow()
        except LookupError:
            self._end_flow()
            await self._answer(text, understood)
            return
        if self.state.step == CONFIRM:
            answer = yes_no(text)
            if answer is True:
                await self._execute(flow)
                return
            if answer is False:
                self._end_flow()
                self.say("cancelled")
                self._resume_suspended()
                return
        elif self.state.step == VERIFY:
            if await self.actions.verified_identity() is not None:
                await self._advance(flow)
                return
        elif self._fill(flow, text):
            self.state.misunderstandings = 0
            await self._advance(flow)
            return
        if await self._digress(flow, text, understood):
            return
        self.state.misunderstandings += 1
        if self.state.misunderstandings >= self.content.settings.handoff_after_misunderstandings:
            self.say("offer_human")
        self._prompt(flow, invalid=True)

    async def _digress(self, flow: Flow, text: str, understood: Understanding) -> bool:
        """Answer something else asked mid-flow, then come back to the flow."""
        decision = self._decide(understood)
        intent = decision.intent if decision.kind == "act" else None
        if intent is None or intent.flow == flow.name:
            if self.state.step == VERIFY and await self._cite(text):
                self._prompt(flow)
                return True
            return False
        if intent.flow:
            await self._act_on(intent, text)
            return True
        await self._act_on(intent, text)
        self.say("resume_flow")
        self._prompt(flow)
        return True

    def _fill(self, flow: Flow, text: str) -> bool:
        """Fill every slot of `flow` that `text` gives a value for; True if any was."""
        filled = False
        slots = dict(self.state.slots)
        for slot in flow.slots:
            if slot.name in slots:
                continue
            value = extract_slot(
                slot,
                text,
                products=self.content.settings.products,
                now=self.now,
                tz=self.timezone,
            )
            if value is not None:
                slots[slot.name] = value
                filled = True
        self.state.slots = slots
        return filled

    async def _advance(self, flow: Flow) -> None:
        if TARGET not in self.state.slots and not await self._find_target(flow):
            return
        missing = [s for s in flow.slots if s.required and s.name not in self.state.slots]
        if missing:
            self.state.step = missing[0].name
            self._prompt(flow)
            return
        if flow.requires_verification and await self.actions.verified_identity() is None:
            self.state.step = VERIFY
            self.say(flow.verify or "verify_first")
            return
        prepared = await self.actions.prepare(flow, self.state.slots, self.lang)
        if not prepared.ok:
            self.say(flow.failed, **self._values(flow, prepared.values))
            self._reopen(flow, prepared)
            return
        self.state.slots = {**self.state.slots, PREPARED: prepared.values}
        if flow.confirm:
            self.state.step = CONFIRM
            self.say(flow.confirm, **self._values(flow, prepared.values))
            return
        await self._execute(flow)

    async def _find_target(self, flow: Flow) -> bool:
        """Look up what the flow acts on; False when the flow cannot go on yet."""
        found = await self.actions.target(flow, self.lang)
        if found.ok:
            self.state.slots = {**self.state.slots, TARGET: found.values}
            return True
        if found.values.get(NEEDS_VERIFICATION):
            # Nothing this conversation may touch without proof: wait for it. The
            # lookup runs again once the session is verified.
            self.state.step = VERIFY
            self.say(flow.verify or "verify_first")
            return False
        self.state.tried = [*self.state.tried, f"{flow.name} failed"][-10:]
        self.say(flow.missing or flow.failed, **found.values)
        self._end_flow()
        self._resume_suspended()
        return False

    def _reopen(self, flow: Flow, result: ActionResult) -> None:
        """After a failed preparation, ask again for the slot that made it fail."""
        retry = result.values.get("retry_slot")
        if retry:
            self.state.slots = {k: v for k, v in self.state.slots.items() if k != retry}
            self.state.step = retry
            self._prompt(flow)
        else:
            self._end_flow()
            self._resume_suspended()

    async def _execute(self, flow: Flow) -> None:
        # The action re-checks verification itself; this check keeps the flow honest too.
        if flow.requires_verification and await self.actions.verified_identity() is None:
            self.state.step = VERIFY
            self.say(flow.verify or "verify_first")
            return
        result = await self.actions.run(flow, self.state.slots, self.lang)
        if result.ok:
            self.say(flow.done, **self._values(flow, result.values))
            self.state.tried = [*self.state.tried, f"completed {flow.name}"][-10:]
            self._end_flow()
            self._resume_suspended()
        else:
            self.state.tried = [*self.state.tried, f"{flow.name} failed"][-10:]
            failed = flow.missing if result.values.get(GONE) and flow.missing else flow.failed
            self.say(failed, **self._values(flow, result.values))
            self._reopen(flow, result)

    def _values(self, flow: Flow, extra: dict[str, str]) -> dict[str, str]:
        """Placeholders of a flow's sentences: its slots, its target, then `extra`."""
        target = self.state.slots.get(TARGET) or {}
        return {**self._display(flow), **target, **extra}

    def _display(self, flow: Flow) -> dict[str, str]:
        shown: dict[str, str] = {}
        products = {p.id: p.name for p in self.content.settings.products}
        for slot in flow.slots:
            value = self.state.slots.get(slot.name)
            if slot.kind == "product" and isinstance(value, str):
                shown[slot.name] = products.get(value, value)
            elif value is not None and not isinstance(value, dict):
                shown[slot.name] = str(value)
        return shown

    def _prompt(self, flow: Flow, *, invalid: bool = False) -> None:
        if self.state.step == CONFIRM:
            if invalid:
                self.say("confirm_yes_no")
            prepared = self.state.slots.get(PREPARED, {})
            self.say(flow.confirm or "confirm_yes_no", **self._values(flow, prepared))
            return
        if self.state.step == VERIFY:
            self.say(flow.verify or "verify_first")
            return
        slot = next((s for s in flow.slots if s.name == self.state.step), None)
        if slot is not None:
            if invalid:
                self.say("invalid_value")
            self.say(slot.prompt, **self._values(flow, {}))

    def _end_flow(self) -> None:
        self.state.flow, self.state.step, self.state.slots = None, None, {}

    def _resume_suspended(self) -> None:
        if not self.state.suspended:
            return
        *rest, last = self.state.suspended
        self.state.suspended = rest
        flow = self.content.flow(str(last["flow"]))
        if flow is None:
            return
        self.state.flow, self.state.step, self.state.slots = flow.name, last["step"], last["slots"]
        self.say("resume_flow")
        self._prompt(flow)

    async def _handoff(self, reason: str, text: str) -> None:
        verified = await self.actions.verified_identity()
        summary = {
            "intent": self.state.last_intent or self.turn.intent,
            "confidence": self.turn.confidence,
            "slots": {
                k: v["start"] if isinstance(v, dict) and "start" in v else str(v)
                for k, v in self.state.slots.items()
                if not k.startswith("_")
            },
            "verified_identity": verified,
            "tried": self.state.tried[-10:],
            "text": (
                f"Language: {self.lang}. Flow: {self.state.flow or '-'}. Last message: {text[:500]}"
            ),
        }
        if await self.actions.handoff(reason=reason, summary=summary):
            self.turn.outcome = "handoff"
            self.state.handed_off = True
            self._end_flow()
            self.state.suspended = []
            self.say("handoff")
        else:
            self.say("handoff_failed")
