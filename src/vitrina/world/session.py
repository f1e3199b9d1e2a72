"""One client connection as an explicit state machine: CONNECTED -> IN_ROOM -> CLOSED.

The reader decodes and checks frames and hands valid ones to the hub; the writer
drains an outbound queue so a slow client never blocks the tick. Every limit a
hostile client can hit ends in an error frame or a close code for that client only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from enum import Enum
from typing import TYPE_CHECKING, Any, get_args

import structlog
from starlette.websockets import WebSocket

from vitrina.core.security import Principal, Role
from vitrina.world import actions, interest
from vitrina.world.avatar import Avatar, Cell
from vitrina.world.outbox import Outbox
from vitrina.world.protocol import (
    CHAT_MAX_CHARS,
    SEND_HZ_MAX,
    Badge,
    CallFrame,
    ChatIn,
    ClientFrame,
    CloseCode,
    EmoteIn,
    ErrorCode,
    ErrorOut,
    FrameError,
    InterestIn,
    JoinIn,
    LeaveIn,
    MoveIn,
    PingIn,
    PongOut,
    ResumeIn,
    ServerFrame,
    decode,
    encode,
)

if TYPE_CHECKING:
    from vitrina.world.direct import DirectWebSocketProtocol
    from vitrina.world.hub import WorldHub
    from vitrina.world.room import Room

log = structlog.get_logger(__name__)

FRAME_RATE = 50.0  # frames/s sustained, all types together; over it: close FLOOD
FRAME_BURST = 100.0
MOVE_BURST = 20.0  # one second of moves: network bunching never drops a steady 20 Hz
CHAT_RATE = 1.0  # lines/s, burst CHAT_BURST; over it: error rate_limited
CHAT_BURST = 5.0
SIGNAL_RATE = 10.0  # WebRTC signals/s, burst SIGNAL_BURST (ICE candidates come in bursts)
SIGNAL_BURST = 40.0
ERROR_BUDGET = 20  # invalid frames per ERROR_WINDOW_S; over it: close PROTOCOL_ERRORS
ERROR_WINDOW_S = 10.0
# The close code with which our client leaves on purpose (docs/protocol.md).
LEAVING = 1000
# The code a browser closes with by itself when the page that opened the socket goes away
# (closed, reloaded, navigated away) without having said `leave`: a page busy when its tab
# closes does not get to run its pagehide handler. A page's script cannot send 1001, and a
# dropped connection, which may be followed by a resume, has no close frame at all (1006).
PAGE_GONE = 1001
MAX_BACKLOG = 64  # queued outbound frames (about 3 s of ticks); over it: close SLOW_CONSUMER
_ADVISOR_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
CALL_FRAMES = get_args(CallFrame)


class State(Enum):
    CONNECTED = "connected"
    IN_ROOM = "in_room"
    CLOSED = "closed"


class Session:
    def __init__(
        self,
        ws: WebSocket,
        principal: Principal,
        hub: WorldHub,
        *,
        json_mode: bool,
        direct: DirectWebSocketProtocol | None = None,
    ):
        self.ws = ws
        self.direct = direct
        self.principal = principal
        self.hub = hub
        self.json_mode = json_mode
        self.state = State.CONNECTED
        self.avatar: Avatar | None = None
        self.room: Room | None = None
        self.view_cell: Cell | None = None
        self.opened_at = time.monotonic()
        self.badge = (
            Badge.ADVISOR if principal.has_any_role(_ADVISOR_ROLES) else Badge.CUSTOMER
        ).value
        self.close_code: int | None = None
        # The code the client's side ended with (1005/1006: the connection dropped).
        self.peer_close_code: int | None = None
        self._outbox = Outbox(
            ws.send, max_backlog=MAX_BACKLOG, on_overflow=self._overflow, direct=direct
        )
        self._reading = False  # the reader task is handling a frame (frames must queue)
        self._frames = FRAME_BURST
        self._frames_t = self.opened_at
        self._moves = MOVE_BURST
        self._moves_t = self.opened_at
        self._chat = CHAT_BURST
        self._chat_t = self.opened_at
        self._signals = SIGNAL_BURST
        self._signals_t = self.opened_at
        self._errors: deque[float] = deque()
        self.dropped_moves = 0
        self.interest = interest.Budget(self.opened_at)

    # ------------------------------------------------------------ outbound

    def push(self, data: bytes | str) -> None:
        if self.close_code is None:
            self._outbox.push(data)

    def send(self, frame: ServerFrame) -> None:
        data = encode(frame, json_mode=self.json_mode)
        self.push(data.decode() if self.json_mode else data)

    def error(self, code: ErrorCode, msg: str, ref: str | None = None, **extra: Any) -> None:
        self.send(ErrorOut(code=code.value, msg=msg, ref=ref, **extra))

    def close(self, code: int, reason: str = "") -> None:
        """Flush what is queued, then close with `code`; the reader stops at once."""
        if self.close_code is not None:
            return
        self.close_code = code
        self.hub.stats.count_close(code)
        if code == CloseCode.SLOW_CONSUMER:
            self._outbox.drop_queued()
        self._outbox.close(code, reason)
        if self.avatar is not None:
            # Leave the room now: the socket may take a while to die (a stuck client).
            task = asyncio.get_running_loop().create_task(self.hub.detach(self))
            self.hub.track(task)

    def _overflow(self) -> None:
        self.close(CloseCode.SLOW_CONSUMER, "outbound backlog")

    # ------------------------------------------------------------ inbound

    async def run(self) -> None:
        writer = asyncio.create_task(self._outbox.run())
        self.hub.sessions.add(self)
        if self.direct is not None:
            self.direct.consumer = self._consume
        try:
            await self._read()
        finally:
            if self.direct is not None:
                self.direct.consumer = None
            self.hub.sessions.discard(self)
            self.state = State.CLOSED
            avatar_id = self.avatar.id if self.avatar is not None else None
            # The page went away (not our own 1001 of a shutdown, echoed back): no resume.
            gone = self.close_code is None and self.peer_close_code == PAGE_GONE
            try:
                if self.close_code is None and self.peer_close_code not in (LEAVING, PAGE_GONE):
                    # The client may resume, and its call (peer to peer, not through this
                    # socket) may still be up.
                    if avatar_id is not None:
                        await self.hub.calls.suspend(
                            self, avatar_id, self.hub.settings.world_resume_grace_s
                        )
                    else:
                        await self.hub.calls.drop(self)
                else:
                    await self.hub.calls.drop(self)  # the other party hears the call end
            except Exception:
                log.exception("world_call_drop_failed", session=self.principal.session_id)
            await self.hub.detach(self, gone=gone)
            if self.close_code is None:
                self.close_code = CloseCode.NORMAL
                self._outbox.close(CloseCode.NORMAL, "")
            try:
                await asyncio.wait_for(writer, timeout=2.0)
            except (TimeoutError, asyncio.CancelledError):
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer

    def _consume(self, data: bytes | str) -> dict[str, Any] | None:
        """A frame from the server's direct lane, on the protocol's stack: moves are
        handled here; other frames go to the reader task, checked and decoded (or raw
        while the reader is busy, so that frames keep their order)."""
        if self._reading:
            return _raw_message(data)
        if self.close_code is not None:
            return None
        now = time.monotonic()
        try:
            frame = self._check(data, now)
            if frame is None:
                return None
            if type(frame) is MoveIn:
                self._move(frame, now)
                return None
        except FrameError as exc:
            self._protocol_error(exc, now)
            return None
        except Exception:
            log.exception("world_frame_failed", session=self.principal.session_id)
            self.close(CloseCode.INTERNAL_ERROR, "internal error")
            return None
        return {"type": "websocket.receive", _CHECKED: frame, "at": now}

    async def _read(self) -> None:
        receive = self.ws.receive
        while self.close_code is None:
            self._reading = False
            message = await receive()
            self._reading = True
            if message["type"] != "websocket.receive":
                self.peer_close_code = message.get("code")
                return
            frame: ClientFrame | None = message.get(_CHECKED)
            try:
                if frame is not None:
                    now = message["at"]
                else:
                    data: bytes | str | None = message.get("bytes")
                    if data is None:
                        data = message.get("text")
                        if data is None:
                            continue
                    now = time.monotonic()
                    frame = self._check(data, now)
                    if frame is None:
                        continue
                if type(frame) is MoveIn:  # the hot path: 20 per second per client, no await
                    self._move(frame, now)
                else:
                    await self._dispatch(frame, now)
            except FrameError as exc:
                self._protocol_error(exc, now)
            except Exception:
                log.exception("world_frame_failed", session=self.principal.session_id)
                self.close(CloseCode.INTERNAL_ERROR, "internal error")
                return

    def _check(self, data: bytes | str, now: float) -> ClientFrame | None:
        """Count the frame against the limits and decode it; None when the frame closed
        the connection (flood, size). Raises FrameError for an invalid frame."""
        self.hub.stats.frames_in += 1
        allowance = self._frames + (now - self._frames_t) * FRAME_RATE
        self._frames_t = now
        if allowance > FRAME_BURST:
            allowance = FRAME_BURST
        if allowance < 1.0:
            self.close(CloseCode.FLOOD, "too many frames")
            return None
        self._frames = allowance - 1.0
        max_bytes = self.hub.settings.world_max_frame_bytes
        if len(data) > max_bytes:
            self.close(CloseCode.TOO_BIG, f"frame over {max_bytes} bytes")
            return None
        if isinstance(data, str) and not self.json_mode:
            raise FrameError(ErrorCode.BAD_FRAME, "binary MessagePack frames expected")
        return decode(data, json_mode=self.json_mode)

    def _protocol_error(self, exc: FrameError, now: float) -> None:
        self.hub.stats.errors += 1
        self.error(exc.code, exc.msg, exc.ref)
        errors = self._errors
        errors.append(now)
        while errors and errors[0] < now - ERROR_WINDOW_S:
            errors.popleft()
        if len(errors) > ERROR_BUDGET:
            self.close(CloseCode.PROTOCOL_ERRORS, "too many invalid frames")

    def _move(self, frame: MoveIn, now: float) -> None:
        if self.state is not State.IN_ROOM:
            raise FrameError(ErrorCode.NOT_IN_ROOM, "join a room first", "move")
        allowance = self._moves + (now - self._moves_t) * SEND_HZ_MAX
        self._moves_t = now
        if allowance > MOVE_BURST:
            allowance = MOVE_BURST
        if allowance < 1.0:
            self._moves = allowance
            self.dropped_moves += 1
            self.hub.stats.dropped_moves += 1
            return
        self._moves = allowance - 1.0
        actions.move(self.hub, self, frame, now)

    async def _dispatch(self, frame: ClientFrame, now: float) -> None:
        hub = self.hub
        if type(frame) is MoveIn:
            self._move(frame, now)
        elif type(frame) is JoinIn:
            await hub.join(self, frame)
        elif type(frame) is ResumeIn:
            await hub.resume(self, frame.token)
        elif type(frame) is PingIn:
            self.send(PongOut(ts=frame.ts, now=int(time.time() * 1000)))
        elif isinstance(frame, CALL_FRAMES):
            self._check_signal_rate(now, _ref(frame))
            await hub.calls.handle(self, frame)
        elif self.state is not State.IN_ROOM:
            raise FrameError(ErrorCode.NOT_IN_ROOM, "join a room first", _ref(frame))
        elif type(frame) is ChatIn:
            self._check_chat(frame.text, now)
            await actions.chat(hub, self, frame.text)
        elif type(frame) is EmoteIn:
            self._check_rate(now, "emote")
            actions.emote(hub, self, frame.name)
        elif type(frame) is LeaveIn:
            await hub.leave(self, why="left")
        elif type(frame) is InterestIn:
            await interest.signalled(hub, self, frame, now)

    def _check_chat(self, text: str, now: float) -> None:
        if len(text) > CHAT_MAX_CHARS:
            raise FrameError(
                ErrorCode.TEXT_TOO_LONG, f"chat text over {CHAT_MAX_CHARS} characters", "chat"
            )
        if not text.strip():
            raise FrameError(ErrorCode.BAD_VALUE, "empty chat text", "chat")
        self._check_rate(now, "chat")

    def _check_signal_rate(self, now: float, ref: str) -> None:
        """WebRTC signalling (`signal` and call frames) shares one bucket."""
        allowance = min(SIGNAL_BURST, self._signals + (now - self._signals_t) * SIGNAL_RATE)
        self._signals_t = now
        if allowance < 1.0:
            self._signals = allowance
            self.hub.stats.rate_limited += 1
            raise FrameError(ErrorCode.RATE_LIMITED, "too many signals", ref)
        self._signals = allowance - 1.0

    def _check_rate(self, now: float, ref: str) -> None:
        allowance = min(CHAT_BURST, self._chat + (now - self._chat_t) * CHAT_RATE)
        self._chat_t = now
        if allowance < 1.0:
            self._chat = allowance
            self.hub.stats.rate_limited += 1
            raise FrameError(ErrorCode.RATE_LIMITED, "slow down: chat and emotes are limited", ref)
        self._chat = allowance - 1.0

    def where(self) -> tuple[Avatar, Room]:
        if self.avatar is None or self.room is None:
            raise FrameError(ErrorCode.NOT_IN_ROOM, "join a room first")
        return self.avatar, self.room

    def enter_room(self, avatar: Avatar, room: Room) -> None:
        self.avatar = avatar
        self.room = room
        self.view_cell = avatar.cell
        self.state = State.IN_ROOM

    def leave_room(self) -> None:
        self.avatar = None
        self.room = None
        self.view_cell = None
        if self.state is State.IN_ROOM:
            self.state = State.CONNECTED


_CHECKED = "vitrina.frame"  # a frame the direct lane has already checked and decoded


def _raw_message(data: bytes | str) -> dict[str, Any]:
    if type(data) is bytes:
        return {"type": "websocket.receive", "bytes": data}
    return {"type": "websocket.receive", "text": data}


def _ref(frame: ClientFrame) -> str:
    return str(type(frame).__struct_config__.tag)
