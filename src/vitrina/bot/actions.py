"""What flows do in the world: book, move and cancel appointments through scheduling,
read account data through the CRM (only for a verified session), hand over through
conversations.

Who may move or cancel an appointment: the conversation that booked it, or a customer
verified in this conversation (their appointments under their CRM profile, their
verified e-mail address or this guest session). Anyone else is asked to verify first.

Every call goes through the other domain's service module, inside the caller's
transaction; nothing here commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.content import Flow
from vitrina.bot.ports import PersonaChoices
from vitrina.bot.turn import (
    GONE,
    NEEDS_VERIFICATION,
    PERSONA_LANGS,
    PERSONA_PREFIX,
    PREPARED,
    TARGET,
    ActionResult,
)
from vitrina.conversations import service as conversations
from vitrina.conversations.errors import ConversationErrorCode
from vitrina.conversations.models import Conversation
from vitrina.conversations.schemas import HandoffSummary
from vitrina.conversations.states import BOT
from vitrina.core.errors import AppError
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import accounts, verification
from vitrina.scheduling import service as scheduling

log = structlog.get_logger(__name__)

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
}
DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
}
AT = {"en": "at", "fr": "à", "it": "alle"}
CHANGES = ("scheduling.reschedule", "scheduling.cancel")
OR = {"en": "or", "fr": "ou", "it": "o"}


def join_choices(names: list[str], lang: str) -> str:
    """'A, B or C', 'A, B ou C', 'A, B o C'."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {OR.get(lang, OR['en'])} {names[-1]}"


def persona_name(names: list[str], lang: str) -> str:
    """A persona's name in `lang` from its names as kept in the target."""
    at = PERSONA_LANGS.index(lang) if lang in PERSONA_LANGS else 0
    return names[at] if at < len(names) else next((n for n in names if n), "")


def format_moment(moment: datetime, lang: str) -> str:
    """'Friday 4 December at 14:00', 'vendredi 4 décembre à 14:00', ..."""
    lang = lang if lang in DAYS else "en"
    day = DAYS[lang].split()[moment.weekday()]
    month = MONTHS[lang].split()[moment.month - 1]
    return f"{day} {moment.day} {month} {AT[lang]} {moment:%H:%M}"


def format_money(minor: int, currency: str, lang: str) -> str:
    """'1,234.56 EUR' in English, '1 234,56 EUR' in French, '1.234,56 EUR' in Italian."""
    english = f"{minor / 100:,.2f}"
    if lang == "fr":
        english = english.replace(",", "\u202f").replace(".", ",")
    elif lang == "it":
        english = english.replace(",", "§").replace(".", ",").replace("§", ".")
    return f"{english} {currency}"


class ServiceActions:
    def __init__(
        self,
        db: AsyncSession,
        *,
        bus: EventBus,
        conversation: Conversation,
        timezone: str,
        queue: str | None,
        now: datetime,
        personas: PersonaChoices | None = None,
    ) -> None:
        self.personas = personas
        self.db = db
        self.bus = bus
        self.conversation = conversation
        self.timezone = timezone
        self.queue = queue
        self.now = now

    def _principal(self) -> Principal | None:
        if not self.conversation.guest_session_id:
            return None
        return Principal(
            kind="guest",
            session_id=self.conversation.guest_session_id,
            display_name=self.conversation.customer_name or "Customer",
        )

    async def _verified(self) -> verification.Verified | None:
        principal = self._principal()
        if principal is None:
            return None
        return await verification.current(
            self.db, principal=principal, brand_id=self.conversation.brand_id
        )

    async def verified_identity(self) -> str | None:
        verified = await self._verified()
        return verified.identifier if verified is not None else None

    def _booking_key(self) -> str:
        return f"bot:{self.conversation.id}:"

    async def _appointments(self) -> tuple[list[scheduling.Appointment], bool]:
        """Upcoming confirmed appointments this conversation may change, soonest first,
        and whether the session is verified."""
        brand, now = self.conversation.brand_slug, self.now
        sid = self.conversation.guest_session_id
        found: list[scheduling.Appointment] = []
        if sid:
            # The booking conversation's own appointments (same guest session, booked
            # with its idempotency key); the others of the session need proof.
            found += [
                a
                for a in await scheduling.list_for_customer(
                    self.db, guest_session_id=sid, brand_slug=brand, now=now
                )
                if (a.idempotency_key or "").startswith(self._booking_key())
            ]
        found += await scheduling.list_for_customer(
            self.db, customer_ref=f"conversation:{self.conversation.id}", brand_slug=brand, now=now
        )
        verified = await self._verified()
        if verified is not None:
            refs = [f"customer:{verified.customer_id}"]
            if "@" in verified.identifier:
                refs.append(f"email:{verified.identifier.lower()}")
            for ref in refs:
                found += await scheduling.list_for_customer(
                    self.db, customer_ref=ref, brand_slug=brand, now=now
                )
            if sid:
                found += await scheduling.list_for_customer(
                    self.db, guest_session_id=sid, brand_slug=brand, now=now
                )
        unique = {a.id: a for a in found if a.status == scheduling.AppointmentStatus.CONFIRMED}
        return sorted(unique.values(), key=lambda a: a.start_at), verified is not None

    async def target(self, flow: Flow, language: str) -> ActionResult:
        if flow.action == "insights.persona":
            return await self._persona_options(language)
        if flow.action not in CHANGES:
            return ActionResult(ok=True)
        appointments, verified = await self._appointments()
        if not appointments:
            return ActionResult(ok=False, values={} if verified else {NEEDS_VERIFICATION: "1"})
        # The soonest one; the confirmation names it, so a "no" leaves it alone.
        appointment = appointments[0]
        (read,) = await scheduling.describe(self.db, [appointment])
        local = appointment.start_at.astimezone(ZoneInfo(read.timezone))
        return ActionResult(
            ok=True,
            values={
                "appointment_id": appointment.id,
                "appointment_type": read.type_slug,
                "current": format_moment(local, language),
            },
        )

    async def prepare(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult:
        if flow.action == "scheduling.reschedule":
            type_slug = (slots.get(TARGET) or {}).get("appointment_type")
        elif flow.action == "scheduling.book":
            type_slug = flow.appointment_type
        else:
            return ActionResult(ok=True)
        if not type_slug:
            return ActionResult(ok=False)
        return await self._first_free(type_slug, slots.get("when") or {}, language)

    async def _first_free(
        self, type_slug: str, when: dict[str, Any], language: str
    ) -> ActionResult:
        """The first free slot of `type_slug` in the window the customer named."""
        start, end = datetime.fromisoformat(when["start"]), datetime.fromisoformat(when["end"])
        if when.get("exact"):
            end = start + (end - start) / 2 if end > start else end
        try:
            search = await scheduling.find_slots(
                self.db,
                brand_slug=self.conversation.brand_slug,
                type_slug=type_slug,
                start=start,
                end=max(end, start) if not when.get("exact") else end,
                limit=1,
                now=self.now,
            )
        except AppError:
            return ActionResult(ok=False, values={"retry_slot": "when"})
        if not search.slots:
            return ActionResult(ok=False, values={"retry_slot": "when"})
        slot = search.slots[0]
        local = slot.start.astimezone(ZoneInfo(self.timezone))
        return ActionResult(
            ok=True,
            values={"slot": format_moment(local, language), "slot_start": slot.start.isoformat()},
        )

    async def run(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult:
        if flow.action == "scheduling.book":
            return await self._book(flow, slots, language)
        if flow.action in CHANGES:
            return await self._change(flow, slots)
        if flow.action == "crm.financing_balance":
            return await self._financing_balance(language)
        if flow.action == "insights.persona":
            return await self._choose_persona(slots, language)
        return ActionResult(ok=False)

    async def _persona_options(self, language: str) -> ActionResult:
        """The brand's personas: `options` to say, and each one's names to understand."""
        found = (
            await self.personas.options(self.db, brand_slug=self.conversation.brand_slug)
            if self.personas is not None
            else []
        )
        if not found:
            return ActionResult(ok=False)
        names = [p.names.get(language) or p.names.get("en") or p.key for p in found]
        values = {"options": join_choices(names, language)}
        values.update(
            {
                f"{PERSONA_PREFIX}{p.key}": "|".join(
                    (p.names.get(lang) or p.key).replace("|", "/") for lang in PERSONA_LANGS
                )
                for p in found
            }
        )
        return ActionResult(ok=True, values=values)

    async def _choose_persona(self, slots: dict[str, Any], language: str) -> ActionResult:
        key = slots.get("persona")
        target = slots.get(TARGET) or {}
        names = str(target.get(f"{PERSONA_PREFIX}{key}", "")).split("|")
        shown = {"persona": persona_name(names, language)}
        session = self.conversation.guest_session_id
        if self.personas is None or not isinstance(key, str) or not session:
            return ActionResult(ok=False, values=shown)
        kept = await self.personas.choose(
            self.db, brand_slug=self.conversation.brand_slug, session_id=session, key=key
        )
        return ActionResult(ok=kept, values=shown)

    async def _book(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult:
        prepared = slots.get(PREPARED) or {}
        if not flow.appointment_type or "slot_start" not in prepared:
            return ActionResult(ok=False, values={"retry_slot": "when"})
        customer = scheduling.Customer(
            email=self.conversation.customer_email,
            name=self.conversation.customer_name,
            locale=language,
            guest_session_id=self.conversation.guest_session_id,
            ref=None
            if self.conversation.guest_session_id or self.conversation.customer_email
            else f"conversation:{self.conversation.id}",
        )
        try:
            appointment = await scheduling.book(
                self.db,
                brand_slug=self.conversation.brand_slug,
                type_slug=flow.appointment_type,
                start=datetime.fromisoformat(prepared["slot_start"]),
                customer=customer,
                idempotency_key=f"bot:{self.conversation.id}:{prepared['slot_start']}",
                notes=f"Booked by the virtual agent; car: {slots.get('model', '-')}",
                product=model if isinstance(model := slots.get("model"), str) else "",
                bus=self.bus,
                now=self.now,
            )
        except AppError:
            # Taken in the meantime, or no longer bookable: offer another time.
            return ActionResult(ok=False, values={"retry_slot": "when"})
        return ActionResult(
            ok=True, values={"slot": prepared.get("slot", ""), "reference": appointment.id[:8]}
        )

    async def _change(self, flow: Flow, slots: dict[str, Any]) -> ActionResult:
        """Move or cancel the appointment the customer confirmed, if they still may."""
        appointment_id = (slots.get(TARGET) or {}).get("appointment_id")
        appointments, _ = await self._appointments()
        if appointment_id not in {a.id for a in appointments}:
            # Cancelled or moved elsewhere meanwhile, or the proof has expired.
            return ActionResult(ok=False, values={GONE: "1"})
        if flow.action == "scheduling.cancel":
            await scheduling.cancel(
                self.db,
                appointment_id=appointment_id,
                reason="Cancelled by the customer through the virtual agent",
                bus=self.bus,
                now=self.now,
            )
            return ActionResult(ok=True)
        prepared = slots.get(PREPARED) or {}
        if "slot_start" not in prepared:
            return ActionResult(ok=False, values={"retry_slot": "when"})
        try:
            await scheduling.reschedule(
                self.db,
                appointment_id=appointment_id,
                start=datetime.fromisoformat(prepared["slot_start"]),
                idempotency_key=f"{self._booking_key()}move:{prepared['slot_start']}",
                bus=self.bus,
                now=self.now,
            )
        except AppError:
            # Taken in the meantime: offer another time.
            return ActionResult(ok=False, values={"retry_slot": "when"})
        return ActionResult(ok=True, values={"slot": prepared.get("slot", "")})

    async def _financing_balance(self, language: str) -> ActionResult:
        principal = self._principal()
        if principal is None:
            return ActionResult(ok=False)
        # read_account refuses an unverified session on its own (NotVerified).
        account = await accounts.read_account(self.db, principal=principal)
        if not account.contracts:
            return ActionResult(ok=False)
        contract = account.contracts[0]
        return ActionResult(
            ok=True,
            values={
                "number": contract.number,
                "product": contract.product,
                "balance": format_money(contract.balance_minor, contract.currency, language),
                "monthly": format_money(
                    contract.monthly_payment_minor, contract.currency, language
                ),
                "next": contract.next_payment_on.isoformat() if contract.next_payment_on else "-",
            },
        )

    async def handoff(self, *, reason: str, summary: dict[str, Any]) -> bool:
        try:
            await conversations.request_handoff(
                self.db,
                bus=self.bus,
                conversation_id=self.conversation.id,
                actor=BOT,
                reason=reason,
                summary=HandoffSummary.model_validate(
                    {**summary, "tried": summary.get("tried", [])[-20:]}
                ),
                queue=self.queue,
            )
        except AppError as exc:
            if exc.code == ConversationErrorCode.CHANGED_MEANWHILE:
                # Someone else moved the conversation since this turn read it (a
                # supervisor took it over): their change stands, and this turn must not
                # write anything (not even "I could not hand you over"), so it ends here
                # and its transaction is rolled back.
                log.info(
                    "bot_handoff_superseded",
                    conversation_id=self.conversation.id,
                    why=exc.detail,
                )
                raise
            return False
        return True
