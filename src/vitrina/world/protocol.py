"""The world's wire protocol, version 1 (spec: docs/protocol.md).

Every frame is one MessagePack map (or JSON object in debug mode) with a type `t`
and the protocol version `v`. Client frames and server frames are two tagged unions;
msgspec validates types while decoding, and the session checks the values
(finite numbers, lengths, rates) before anything touches a room.
"""

from __future__ import annotations

import math
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal, get_args

import msgspec

PROTOCOL_VERSION = 1
SUBPROTOCOL_MSGPACK = "vitrina.world.v1"
SUBPROTOCOL_JSON = "vitrina.world.v1.json"

CHAT_MAX_CHARS = 500
CALL_SDP_MAX_CHARS = 10000  # an audio-only SDP is 2-5 KB; the frame limit is 16 KiB
CALL_ICE_MAX_CHARS = 512  # one ICE candidate line
SEND_HZ_MAX = 20.0
# VR poses: a tracked part lies within this distance (m) of the avatar's position `p`,
# and its rotation is a unit quaternion (squared norm within POSE_QUAT_NORM2 of 1).
POSE_REACH_M = 2.5
POSE_QUAT_NORM2 = (0.81, 1.21)
EMOTES = frozenset(
    {"wave", "nod", "shake", "clap", "thumbs_up", "shrug", "laugh", "point", "dance", "bow"}
)

Vec3 = tuple[float, float, float]
# Position (m) then rotation quaternion (x, y, z, w) of a tracked part (head, hand).
Pose = tuple[float, float, float, float, float, float, float]

_Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
_Token = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
_Short = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class CloseCode(IntEnum):
    NORMAL = 1000
    # From the server: it is shutting down, reconnect and resume. From a browser: the
    # page went away without `leave` (docs/protocol.md); its avatar leaves at once.
    GOING_AWAY = 1001
    TOO_BIG = 1009  # a frame over the size limit
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012  # sent by uvicorn itself when the node shuts down
    SILENT_SERVER = 4000  # sent by a client that heard nothing for too long; it resumes
    UNAUTHENTICATED = 4001  # no valid guest or staff session, or bad token
    FORBIDDEN = 4003
    FLOOD = 4008  # sustained frame rate over the limit
    REPLACED = 4009  # the avatar was resumed on another connection
    SLOW_CONSUMER = 4011  # the client does not read its frames fast enough
    PROTOCOL_ERRORS = 4012  # too many invalid frames
    JOIN_TIMEOUT = 4013  # no join or resume within the deadline


class ErrorCode(StrEnum):
    BAD_FRAME = "bad_frame"  # not decodable, or fields of the wrong type
    BAD_VERSION = "bad_version"
    UNKNOWN_TYPE = "unknown_type"
    BAD_VALUE = "bad_value"  # NaN, infinity, out-of-range value
    NOT_IN_ROOM = "not_in_room"
    ROOM_FULL = "room_full"
    UNKNOWN_ZONE = "unknown_zone"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    TEXT_TOO_LONG = "text_too_long"
    UNKNOWN_TARGET = "unknown_target"
    RESUME_FAILED = "resume_failed"
    CALL_FORBIDDEN = "call_forbidden"  # not a customer and the advisor assigned to them
    CALL_BUSY = "call_busy"  # one of the two is already in a call
    UNKNOWN_CALL = "unknown_call"  # no such call, an ended one, or not yours
    BAD_CALL_STATE = "bad_call_state"  # e.g. an answer before the call was accepted


class Badge(StrEnum):
    CUSTOMER = "customer"
    ADVISOR = "advisor"
    BOT = "bot"


class Look(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Avatar appearance, chosen by the client; names refer to client-side assets."""

    model: _Short = "default"
    color: Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")] = "#8899aa"
    accessories: Annotated[list[_Short], msgspec.Meta(max_length=8)] = []


# ---------------------------------------------------------------- client -> server


class _In(msgspec.Struct, tag_field="t", omit_defaults=True):
    v: int


class JoinIn(_In, tag="join"):
    brand: _Slug
    zone: _Slug
    shard: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1
    look: Look | None = None


class ResumeIn(_In, tag="resume"):
    token: _Token


class MoveIn(_In, tag="move"):
    p: Vec3
    r: float = 0.0
    h: Pose | None = None
    lh: Pose | None = None
    rh: Pose | None = None
    ts: Annotated[int, msgspec.Meta(ge=0, le=0xFFFFFFFF)] | None = None


class ChatIn(_In, tag="chat"):
    # No NUL: the text may be stored, and PostgreSQL text cannot hold it.
    text: Annotated[str, msgspec.Meta(pattern=r"^[^\x00]*$")]


class EmoteIn(_In, tag="emote"):
    name: str


class LeaveIn(_In, tag="leave"):
    pass


class PingIn(_In, tag="ping"):
    ts: int | float = 0


# Interest signals (spec: docs/protocol.md, "Interest signals"): what a visitor looked at
# or clicked, for the insights domain, which keeps them only with consent.
INTEREST_MAX_SAMPLES = 50
_Part = Annotated[str, msgspec.Meta(pattern=r"^([a-z0-9][a-z0-9_-]{0,63})?$")]


class GazeRay(msgspec.Struct, forbid_unknown_fields=True):
    """Checked for plausibility by the server, then dropped: rays are never stored."""

    origin: Vec3
    direction: Vec3


class InterestSample(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    type: Literal["dwell", "gaze", "click", "view"]
    product: _Slug
    at: Annotated[int, msgspec.Meta(ge=0, le=4_102_444_800_000)]  # ms since the epoch
    part: _Part = ""
    duration_ms: float | None = None  # dwell and gaze
    ray: GazeRay | None = None  # gaze only


class InterestIn(_In, tag="interest"):
    s: Annotated[list[InterestSample], msgspec.Meta(min_length=1, max_length=INTEREST_MAX_SAMPLES)]


# Voice calls (spec: docs/protocol.md, "Voice calls"): one-to-one, between a customer
# and the advisor assigned to their conversation; the server relays, media is peer to peer.
_CallId = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class CallInviteIn(_In, tag="call_invite"):
    to: int


class CallAcceptIn(_In, tag="call_accept"):
    call: _CallId


class CallDeclineIn(_In, tag="call_decline"):
    call: _CallId


class CallSdpIn(_In, tag="call_sdp"):
    call: _CallId
    kind: Literal["offer", "answer"]
    sdp: str


class CallIceIn(_In, tag="call_ice"):
    call: _CallId
    candidate: str  # "" marks the end of candidates
    mid: str | None = None
    mline: Annotated[int, msgspec.Meta(ge=0, le=64)] | None = None


class CallConnectedIn(_In, tag="call_connected"):
    call: _CallId


class CallMuteIn(_In, tag="call_mute"):
    call: _CallId
    muted: bool


class CallHangupIn(_In, tag="call_hangup"):
    call: _CallId


CallFrame = (
    CallInviteIn
    | CallAcceptIn
    | CallDeclineIn
    | CallSdpIn
    | CallIceIn
    | CallConnectedIn
    | CallMuteIn
    | CallHangupIn
)
ClientFrame = (
    JoinIn | ResumeIn | MoveIn | ChatIn | EmoteIn | LeaveIn | PingIn | InterestIn | CallFrame
)


class _Header(msgspec.Struct):
    t: Any = None
    v: Any = None


# ---------------------------------------------------------------- server -> client


def _version() -> int:
    return PROTOCOL_VERSION


class _Out(msgspec.Struct, tag_field="t", omit_defaults=True):
    # A factory, not a plain default, so that omit_defaults still writes `v` on every frame.
    v: int = msgspec.field(default_factory=_version)


class Presence(msgspec.Struct, omit_defaults=True):
    id: int
    name: str
    badge: str
    look: Look
    s: Any = None  # the avatar's state entry (see Snap) when known


class IceServer(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """A STUN or TURN server for voice calls (the browser's RTCIceServer)."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class WelcomeOut(_Out, tag="welcome", kw_only=True):
    id: int
    room: str
    brand: str
    zone: str
    shard: int
    token: str
    tick_hz: float
    bounds: tuple[float, float, float, float, float, float]
    radius: float
    spawn: Vec3
    max_speed: float
    who: list[Presence]
    u: list[Any]
    resumed: bool = False
    ice: list[IceServer] = []  # STUN/TURN servers for voice calls; none: direct only


class EnterOut(_Out, tag="enter", kw_only=True):
    who: list[Presence]


class ExitOut(_Out, tag="exit", kw_only=True):
    id: int
    why: str


class SnapOut(_Out, tag="snap", kw_only=True):
    k: int
    u: list[Any]  # always present, possibly empty
    g: list[int] = []


class CorrectOut(_Out, tag="correct", kw_only=True):
    p: Vec3
    r: float
    why: str


class ChatOut(_Out, tag="chat", kw_only=True):
    id: int
    name: str
    text: str
    ts: int


class EmoteOut(_Out, tag="emote", kw_only=True):
    id: int
    name: str


class ErrorOut(_Out, tag="error", kw_only=True):
    code: str
    msg: str
    ref: str | None = None
    suggest: str | None = None


class PongOut(_Out, tag="pong", kw_only=True):
    ts: int | float
    now: int


class CallStateOut(_Out, tag="call_state", kw_only=True):
    """Where a call stands, sent to both parties on every change."""

    call: str
    state: Literal["ringing", "accepted", "connected", "ended"]
    peer: int  # the other party's avatar id
    name: str  # the other party's display name
    incoming: bool = False  # ringing: you are the one called
    why: str | None = None  # ended: hangup, declined, no_answer, disconnected, failed, ...
    by: str | None = None  # ended: the display name of who ended it, when a party did
    duration: float | None = None  # ended: seconds since connected (0 if it never was)


class CallSdpOut(_Out, tag="call_sdp", kw_only=True):
    call: str
    kind: str
    sdp: str


class CallIceOut(_Out, tag="call_ice", kw_only=True):
    call: str
    candidate: str
    mid: str | None = None
    mline: int | None = None


class CallMuteOut(_Out, tag="call_mute", kw_only=True):
    call: str
    muted: bool


ServerFrame = (
    WelcomeOut
    | EnterOut
    | ExitOut
    | SnapOut
    | CorrectOut
    | ChatOut
    | EmoteOut
    | ErrorOut
    | PongOut
    | CallStateOut
    | CallSdpOut
    | CallIceOut
    | CallMuteOut
)


class FrameError(Exception):
    def __init__(self, code: ErrorCode, msg: str, ref: str | None = None) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.ref = ref


_CALL_TYPES = [str(frame.__struct_config__.tag) for frame in get_args(CallFrame)]
_KNOWN_TYPES = frozenset(
    ("join", "resume", "move", "chat", "emote", "leave", "ping", "interest", *_CALL_TYPES)
)
_mp_decoder = msgspec.msgpack.Decoder(ClientFrame)
_json_decoder = msgspec.json.Decoder(ClientFrame)
_mp_header = msgspec.msgpack.Decoder(_Header)
_json_header = msgspec.json.Decoder(_Header)
mp_encoder = msgspec.msgpack.Encoder()
json_encoder = msgspec.json.Encoder()


def decode(data: bytes | str, *, json_mode: bool) -> ClientFrame:
    """Decode and type-check one client frame; raise FrameError with a precise code."""
    try:
        if json_mode:
            frame: ClientFrame = _json_decoder.decode(data)
        elif isinstance(data, bytes):
            frame = _mp_decoder.decode(data)
        else:
            raise FrameError(ErrorCode.BAD_FRAME, "binary MessagePack frames expected")
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _classify(data, json_mode, exc) from None
    except RecursionError:
        raise FrameError(ErrorCode.BAD_FRAME, "frame nested too deeply") from None
    if frame.v != PROTOCOL_VERSION:
        raise FrameError(
            ErrorCode.BAD_VERSION, f"protocol version {PROTOCOL_VERSION} expected", _tag(frame)
        )
    return frame


def _classify(data: bytes | str, json_mode: bool, exc: Exception) -> FrameError:
    try:
        if json_mode:
            head = _json_header.decode(data)
        elif isinstance(data, bytes):
            head = _mp_header.decode(data)
        else:
            return FrameError(ErrorCode.BAD_FRAME, "binary MessagePack frames expected")
    except (msgspec.DecodeError, msgspec.ValidationError):
        return FrameError(ErrorCode.BAD_FRAME, "frame is not a map with a type `t`")
    except RecursionError:
        return FrameError(ErrorCode.BAD_FRAME, "frame nested too deeply")
    ref = head.t if isinstance(head.t, str) and head.t in _KNOWN_TYPES else None
    if ref is None:
        return FrameError(ErrorCode.UNKNOWN_TYPE, "unknown or missing frame type `t`")
    if head.v != PROTOCOL_VERSION:
        return FrameError(ErrorCode.BAD_VERSION, f"version {PROTOCOL_VERSION} expected", ref)
    return FrameError(ErrorCode.BAD_FRAME, str(exc)[:200], ref)


def _tag(frame: ClientFrame) -> str:
    return str(type(frame).__struct_config__.tag)


def tag_of(frame: ClientFrame) -> str:
    return _tag(frame)


def all_finite(*values: float) -> bool:
    return all(math.isfinite(x) for x in values)


def encode(frame: ServerFrame, *, json_mode: bool) -> bytes:
    return json_encoder.encode(frame) if json_mode else mp_encoder.encode(frame)


def json_schema() -> dict[str, Any]:
    """JSON Schema of both directions (for client code generation): `python -m
    vitrina.world.protocol > docs/protocol.schema.json`."""
    (client, server), components = msgspec.json.schema_components([ClientFrame, ServerFrame])
    return {
        "$defs": components,
        "properties": {"client_to_server": client, "server_to_client": server},
    }


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
