"""Running a flow: fill its slots, find what it acts on, confirm, act, resume.

A mixin of `engine.Dialogue`, which holds the conversation and answers everything said
outside a flow; the methods below use that state and call back into the dialogue for a
message that leaves the flow (a question on something else, another task).
"""

from __future__ import annotations

from datetime import datetime

from vitrina.bot.brain import Understanding
from vitrina.bot.content import BrandContent, Flow, Intent
from vitrina.bot.models import BotConversation
from vitrina.bot.policy import Decision
from vitrina.bot.slots import extract_persona, extract_slot, yes_no
from vitrina.bot.turn import (
    CONFIRM,
    GONE,
    NEEDS_VERIFICATION,
    PERSONA_PREFIX,
    PREPARED,
    TARGET,
    VERIFY,
    ActionResult,
    Actions,
    Turn,
)


class FlowSteps:
    content: BrandContent
    state: BotConversation
    actions: Actions
    now: datetime
    timezone: str
    turn: Turn

    @property
    def lang(self) -> str:
        return self.state.language

    def say(self, key: str, **values: object) -> None:
        self.turn.replies.append(self.content.say(key, self.lang, **values))

    # What the dialogue answers outside a flow (`engine.Dialogue`).
    async def _answer(self, text: str, understood: Understanding) -> None:
        raise NotImplementedError

    def _decide(self, understood: Understanding) -> Decision:
        raise NotImplementedError

    async def _cite(self, text: str) -> bool:
        raise NotImplementedError

    async def _act_on(self, intent: Intent, text: str) -> None:
        raise NotImplementedError

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
            if slot.kind == "persona":
                target = slots.get(TARGET) or {}
                choices = {
                    k.removeprefix(PERSONA_PREFIX): str(v).split("|")
                    for k, v in target.items()
                    if k.startswith(PERSONA_PREFIX)
                }
                persona = extract_persona(text, choices) if choices else None
                if persona is not None:
                    slots[slot.name] = persona
                    filled = True
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

    async def _advance(self, flow: Flow, opening: str = "") -> None:
        if TARGET not in self.state.slots:
            if not await self._find_target(flow):
                return
            if opening:
                # Some slots are understood only once the target is known (a persona's
                # names): the message that opened the flow may already give them.
                self._fill(flow, opening)
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
