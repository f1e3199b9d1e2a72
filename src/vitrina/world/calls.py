"""One-to-one voice calls signalled over the world socket (spec: docs/protocol.md).

The server never touches media: it checks who may call whom, keeps each call's state
(ringing -> accepted -> connected -> ended) and relays the WebRTC offer, answer, ICE
candidates and mute state between the two parties only. Who may call is not the world's
to know: a `CallPolicy` given by the conversations domain answers, for a customer and an
advisor, the conversation that ties them (the advisor must be assigned to it), and that
id travels on the call's events so the call lands on the conversation's timeline.

Calls live on one node: both parties must be connected to it (a known limit, see the
spec). A party who leaves (close code 1000) ends the call for the other; a socket that
ends any other way (a network drop, a client about to reconnect) keeps an accepted call
for the resume grace period, and the call goes on once the party resumes on this node,
since its media never went through the socket.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import structlog

from vitrina.world.events import CallConnected, CallEnded, CallStarted
from vitrina.world.protocol import (
    CALL_ICE_MAX_CHARS,
    CALL_SDP_MAX_CHARS,
    Badge,
    CallAcceptIn,
    CallConnectedIn,
    CallDeclineIn,
    CallFrame,
    CallHangupIn,
    CallIceIn,
    CallIceOut,
    CallInviteIn,
    CallMuteIn,
    CallMuteOut,
    CallSdpIn,
    CallSdpOut,
    CallStateOut,
    ErrorCode,
    FrameError,
)

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub
    from vitrina.world.session import Session

log = structlog.get_logger(__name__)

CallState = Literal["ringing", "accepted", "connected", "ended"]
RING_TIMEOUT_S = 45.0  # an unanswered call ends with why "no_answer"
MID_MAX_CHARS = 64


@dataclass(frozen=True, slots=True)
class Party:
    """One side of a call, as the policy sees it."""

    avatar_id: int
    name: str
    badge: str
    session_id: str | None
    user_id: str | None


class CallPolicy(Protocol):
    async def authorize(self, *, brand: str, caller: Party, callee: Party) -> str | None:
        """The id of what ties the two (a conversation), or None when they may not call."""


@dataclass(eq=False)
class Call:
    id: str
    context: str
    brand: str
    room: str
    caller: Session
    callee: Session
    parties: dict[Session, Party]
    state: CallState = "ringing"
    connected_at: float | None = None
    ring_timer: asyncio.TimerHandle | None = None

    def peer(self, session: Session) -> Session:
        return self.callee if session is self.caller else self.caller


class Calls:
    """The calls of one node's clients."""

    def __init__(self, hub: WorldHub) -> None:
        self.hub = hub
        self.policy: CallPolicy | None = None
        self._calls: dict[str, Call] = {}
        self._by_session: dict[Session, Call] = {}
        # Parties whose socket dropped, by avatar id: their call, their old session and
        # the timer that ends the call if they do not come back.
        self._away: dict[int, tuple[Call, Session, asyncio.TimerHandle]] = {}

    async def handle(self, session: Session, frame: CallFrame) -> None:
        kind = type(frame)
        if kind is CallInviteIn:
            assert isinstance(frame, CallInviteIn)
            await self.invite(session, frame.to)
            return
        assert not isinstance(frame, CallInviteIn)
        call = self._own(session, frame.call, str(kind.__struct_config__.tag))
        if isinstance(frame, CallAcceptIn):
            self._accept(session, call)
        elif isinstance(frame, CallDeclineIn):
            if session is not call.callee or call.state != "ringing":
                raise FrameError(
                    ErrorCode.BAD_CALL_STATE, "only a ringing call can be declined", "call_decline"
                )
            await self.end(call, why="declined", by=session)
        elif isinstance(frame, CallSdpIn):
            self._relay_sdp(session, call, frame)
        elif isinstance(frame, CallIceIn):
            self._relay_ice(session, call, frame)
        elif isinstance(frame, CallConnectedIn):
            await self._connected(session, call)
        elif isinstance(frame, CallMuteIn):
            call.peer(session).send(CallMuteOut(call=call.id, muted=frame.muted))
        elif isinstance(frame, CallHangupIn):
            await self.end(call, why="hangup", by=session)

    # ------------------------------------------------------------ starting

    async def invite(self, session: Session, to: int) -> None:
        avatar, room = session.where()
        target = room.avatars.get(to)
        if target is None or target.id == avatar.id or target.badge == Badge.BOT.value:
            raise FrameError(
                ErrorCode.UNKNOWN_TARGET, "no such participant in this room", "call_invite"
            )
        callee = target.session
        if target.node != self.hub.node or callee is None:
            raise FrameError(
                ErrorCode.UNKNOWN_TARGET,
                "this participant cannot be called right now",
                "call_invite",
            )
        if self.policy is None:
            raise FrameError(
                ErrorCode.CALL_FORBIDDEN, "voice calls are not available here", "call_invite"
            )
        self._check_free(session, callee)
        caller_party = _party(session, avatar.id)
        callee_party = _party(callee, target.id)
        context = await self.policy.authorize(
            brand=room.brand, caller=caller_party, callee=callee_party
        )
        if context is None:
            raise FrameError(
                ErrorCode.CALL_FORBIDDEN,
                "only a customer and the advisor serving them can call each other",
                "call_invite",
            )
        # The policy awaited the database: check again that nobody got busy or went away.
        self._check_free(session, callee)
        if session.avatar is None or callee.avatar is None or callee.close_code is not None:
            raise FrameError(ErrorCode.UNKNOWN_TARGET, "the participant has left", "call_invite")
        call = Call(
            id=secrets.token_urlsafe(12),
            context=context,
            brand=room.brand,
            room=room.id,
            caller=session,
            callee=callee,
            parties={session: caller_party, callee: callee_party},
        )
        self._calls[call.id] = call
        self._by_session[session] = call
        self._by_session[callee] = call
        call.ring_timer = asyncio.get_running_loop().call_later(
            RING_TIMEOUT_S, self._ring_timeout, call
        )
        self._tell(call, "ringing")
        await self.hub.bus.publish(
            CallStarted(
                call_id=call.id,
                context=context,
                brand=call.brand,
                room=call.room,
                caller_name=caller_party.name,
                caller_badge=caller_party.badge,
                callee_name=callee_party.name,
                callee_badge=callee_party.badge,
            )
        )

    def _check_free(self, session: Session, callee: Session) -> None:
        if session in self._by_session:
            raise FrameError(ErrorCode.CALL_BUSY, "you are already in a call", "call_invite")
        if callee in self._by_session:
            raise FrameError(
                ErrorCode.CALL_BUSY, "the participant is in another call", "call_invite"
            )

    def _ring_timeout(self, call: Call) -> None:
        if call.state == "ringing" and self._calls.get(call.id) is call:
            task = asyncio.get_running_loop().create_task(self.end(call, why="no_answer", by=None))
            self.hub.track(task)

    # ------------------------------------------------------------ during the call

    def _own(self, session: Session, call_id: str, ref: str) -> Call:
        call = self._calls.get(call_id)
        if call is None or session not in call.parties:
            raise FrameError(ErrorCode.UNKNOWN_CALL, "no such call (ended, or not yours)", ref)
        return call

    def _accept(self, session: Session, call: Call) -> None:
        if session is not call.callee or call.state != "ringing":
            raise FrameError(
                ErrorCode.BAD_CALL_STATE,
                "only the one called can accept a ringing call",
                "call_accept",
            )
        if call.ring_timer is not None:
            call.ring_timer.cancel()
        call.state = "accepted"
        self._tell(call, "accepted")

    def _relay_sdp(self, session: Session, call: Call, frame: CallSdpIn) -> None:
        if call.state not in ("accepted", "connected"):
            raise FrameError(ErrorCode.BAD_CALL_STATE, "the call is not accepted yet", "call_sdp")
        if len(frame.sdp) > CALL_SDP_MAX_CHARS:
            raise FrameError(
                ErrorCode.TEXT_TOO_LONG, f"SDP over {CALL_SDP_MAX_CHARS} characters", "call_sdp"
            )
        if not frame.sdp.startswith("v=0"):
            raise FrameError(ErrorCode.BAD_VALUE, "not a session description", "call_sdp")
        call.peer(session).send(CallSdpOut(call=call.id, kind=frame.kind, sdp=frame.sdp))

    def _relay_ice(self, session: Session, call: Call, frame: CallIceIn) -> None:
        if call.state not in ("accepted", "connected"):
            raise FrameError(ErrorCode.BAD_CALL_STATE, "the call is not accepted yet", "call_ice")
        if len(frame.candidate) > CALL_ICE_MAX_CHARS or len(frame.mid or "") > MID_MAX_CHARS:
            raise FrameError(
                ErrorCode.TEXT_TOO_LONG,
                f"ICE candidate over {CALL_ICE_MAX_CHARS} characters",
                "call_ice",
            )
        if frame.candidate and not frame.candidate.startswith("candidate:"):
            raise FrameError(ErrorCode.BAD_VALUE, "not an ICE candidate", "call_ice")
        call.peer(session).send(
            CallIceOut(call=call.id, candidate=frame.candidate, mid=frame.mid, mline=frame.mline)
        )

    async def _connected(self, session: Session, call: Call) -> None:
        """A party's media is flowing; the first report marks the call connected."""
        if call.state == "connected":
            return
        if call.state != "accepted":
            raise FrameError(
                ErrorCode.BAD_CALL_STATE, "the call is not accepted yet", "call_connected"
            )
        call.state = "connected"
        call.connected_at = time.monotonic()
        self._tell(call, "connected")
        await self.hub.bus.publish(
            CallConnected(call_id=call.id, context=call.context, brand=call.brand, room=call.room)
        )

    # ------------------------------------------------------------ ending

    async def end(self, call: Call, *, why: str, by: Session | None) -> None:
        """End a call once, whoever asks first; both parties are told, then the event."""
        if self._calls.pop(call.id, None) is None:
            return
        for session in call.parties:
            if self._by_session.get(session) is call:
                del self._by_session[session]
        for avatar_id, away in list(self._away.items()):
            if away[0] is call:
                away[2].cancel()
                del self._away[avatar_id]
        if call.ring_timer is not None:
            call.ring_timer.cancel()
        duration = 0.0 if call.connected_at is None else time.monotonic() - call.connected_at
        party = call.parties[by] if by is not None else None
        self._tell(
            call, "ended", why=why, by=party.name if party else None, duration=round(duration, 1)
        )
        await self.hub.bus.publish(
            CallEnded(
                call_id=call.id,
                context=call.context,
                brand=call.brand,
                room=call.room,
                why=why,
                by_name=party.name if party else None,
                by_badge=party.badge if party else None,
                duration_s=round(duration, 1),
                connected=call.connected_at is not None,
            )
        )

    async def drop(self, session: Session) -> None:
        """The session's socket is gone: its call ends for the other party."""
        call = self._by_session.get(session)
        if call is not None:
            await self.end(call, why="disconnected", by=session)

    async def suspend(self, session: Session, avatar_id: int, grace_s: float) -> None:
        """The session's socket dropped and may be resumed: an accepted call waits up to
        `grace_s` for the party to come back (`rebind`), a ringing one ends now."""
        call = self._by_session.get(session)
        if call is None:
            return
        if call.state == "ringing" or grace_s <= 0:
            await self.end(call, why="disconnected", by=session)
            return
        timer = asyncio.get_running_loop().call_later(grace_s, self._expire, avatar_id)
        self._away[avatar_id] = (call, session, timer)

    def _expire(self, avatar_id: int) -> None:
        away = self._away.pop(avatar_id, None)
        if away is not None and self._calls.get(away[0].id) is away[0]:
            task = asyncio.get_running_loop().create_task(
                self.end(away[0], why="disconnected", by=away[1])
            )
            self.hub.track(task)

    def rebind(self, avatar_id: int, session: Session, *, old: Session | None) -> None:
        """The avatar resumed on `session` (after a drop, or replacing a half-open `old`
        connection): its call goes on there, and the party is told where it stands."""
        away = self._away.pop(avatar_id, None)
        if away is not None:
            away[2].cancel()
            call, previous = away[0], away[1]
        elif old is not None and (found := self._by_session.get(old)) is not None:
            call, previous = found, old
        else:
            return
        if self._calls.get(call.id) is not call or previous not in call.parties:
            return
        call.parties[session] = call.parties.pop(previous)
        if call.caller is previous:
            call.caller = session
        else:
            call.callee = session
        self._by_session.pop(previous, None)
        self._by_session[session] = call
        self._tell_one(call, session, call.state)

    def has_context(self, context: str) -> bool:
        return any(c.context == context for c in self._calls.values())

    async def end_for_context(self, context: str, *, why: str, keep_user: str | None = None) -> int:
        """End the calls tied to `context` (the conversation left the advisor), except those
        with `keep_user`, the advisor who still holds it."""
        ending = [
            c
            for c in self._calls.values()
            if c.context == context
            and (keep_user is None or keep_user not in {p.user_id for p in c.parties.values()})
        ]
        for call in ending:
            await self.end(call, why=why, by=None)
        return len(ending)

    def _tell(
        self,
        call: Call,
        state: CallState,
        *,
        why: str | None = None,
        by: str | None = None,
        duration: float | None = None,
    ) -> None:
        for session in call.parties:
            self._tell_one(call, session, state, why=why, by=by, duration=duration)

    def _tell_one(
        self,
        call: Call,
        session: Session,
        state: CallState,
        *,
        why: str | None = None,
        by: str | None = None,
        duration: float | None = None,
    ) -> None:
        peer = call.peer(session)
        peer_party = call.parties[peer]
        peer_id = peer.avatar.id if peer.avatar is not None else peer_party.avatar_id
        session.send(
            CallStateOut(
                call=call.id,
                state=state,
                peer=peer_id,
                name=peer_party.name,
                incoming=state == "ringing" and session is call.callee,
                why=why,
                by=by,
                duration=duration,
            )
        )


def _party(session: Session, avatar_id: int) -> Party:
    p = session.principal
    return Party(
        avatar_id=avatar_id,
        name=p.display_name,
        badge=session.badge,
        session_id=p.session_id,
        user_id=p.user_id,
    )
