"""The dialogue engine: one customer message in, the bot's replies out.

Outside a flow, a message is answered by the dialogue policy (`policy.py`): an intent's
response, an article, a flow started, a handoff, a question telling two readings apart,
or an apology. Flows from the content run as state machines over the persisted
`BotConversation` (`flowsteps.py`): ask for each missing slot, confirm, act. At any point
the customer may ask for a human, cancel, or digress (ask something else, or start
another flow); a digression is answered and the interrupted flow resumes where it was.
Actions on other domains go through the `Actions` protocol (`turn.py`), implemented with
their service modules in `actions.py`.
"""

from __future__ import annotations

from datetime import datetime

from vitrina.bot.brain import Brain, Understanding
from vitrina.bot.content import Article, Intent
from vitrina.bot.cues import asks_for_person, ends_flow
from vitrina.bot.flowsteps import FlowSteps
from vitrina.bot.generator import Answerer
from vitrina.bot.models import BotConversation
from vitrina.bot.policy import OUT_OF_SCOPE, Decision, decide
from vitrina.bot.slots import yes_no
from vitrina.bot.turn import Actions, Turn
from vitrina.core.text import fold

# Outside a flow: the bot offered a human, and a plain "yes" accepts.
OFFERED_HUMAN = "offered_human"


class Dialogue(FlowSteps):
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

    async def respond(self, text: str) -> Turn:
        understood = self.brain.understand(text, current_language=self.state.language)
        self.state.language = understood.language
        self.turn.intent, self.turn.confidence = understood.intent, understood.confidence
        folded = fold(text).strip()
        offered = self.state.step == OFFERED_HUMAN and not self.state.flow
        if offered:
            self.state.step = None
        # Within a task, "never mind" ends the task before the model reads it: however
        # close it comes to a complaint, it asks for nothing to be handed over.
        ending = bool(self.state.flow) and ends_flow(folded)
        if (
            asks_for_person(folded)
            or (not ending and self._is_handoff(understood))
            or (offered and yes_no(text))
        ):
            await self._handoff("customer asked for a person", text)
        elif ending:
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
            driving=understood.driving,
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
                await self._advance(flow, opening=text)
        elif intent.handoff:
            await self._handoff(f"intent {intent.name}", text)

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
