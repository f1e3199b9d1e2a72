"""uvicorn's WebSocket protocol with a direct lane for the world socket.

The world sends one small binary frame per client per tick and receives 20 moves per
client per second. Through plain ASGI each of those is a message dict, a coroutine, a
queue put and get with a task wake-up, and, on the way in, a pause and a resume of the
socket's reading (two `epoll_ctl` system calls) for flow control; through the
`websockets` protocol object each outbound frame is also a `Frame` object serialised
anew for every client.

This protocol is uvicorn's `websockets` sans-I/O one (handshake, parsing, masking and
size checks, control frames, closing, keepalive: all unchanged) plus two shortcuts that
an application reaches through the `vitrina.direct` ASGI scope extension, and that
everything else ignores:

- `consumer`: a callable given each complete data message (bytes or str) as it is parsed,
  on the protocol's own stack. It returns None when it has handled the message, or the
  ASGI message to queue for the application's `receive()`, which gets it in order
  behind anything queued before it. While the queue is not empty, messages are queued
  as usual, so the order of arrival is kept.
- Incoming binary frames that are complete, final, masked and within the size limit
  are unmasked and handed to the consumer without the `websockets` parser whenever that
  parser stands between two frames; anything else (control frames, fragments, text,
  partial frames, a frame over the limit) goes through it exactly as before.
- `send_frame(data)`: writes one unfragmented data frame now, with one `write`; returns
  False when the transport's buffer is over its high-water mark (the caller waits on
  `writable` and retries). The same payload sent to many clients in a row is framed
  once.

Serve with `uvicorn --ws vitrina.world.direct:DirectWebSocketProtocol` (what `vitrina
serve` does). Under another server the extension is absent and the world uses plain ASGI.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame
from websockets.http11 import Request
from websockets.protocol import Protocol, State
from websockets.streams import StreamReader

try:  # websockets' C helper, as its own parser uses
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover
    from websockets.utils import apply_mask

EXTENSION = "vitrina.direct"

Consumer = Callable[[bytes | str], dict[str, Any] | None]

_HEAD_BINARY = [bytes((0x82, n)) for n in range(126)]
_HEAD_TEXT = [bytes((0x81, n)) for n in range(126)]
_head16 = struct.Struct("!BBH").pack
_head64 = struct.Struct("!BBQ").pack
_PARSE = Protocol.parse.__code__
_AT_EOF = StreamReader.at_eof.__code__


def _wire(payload: bytes, binary: bool) -> bytes:
    n = len(payload)
    if n < 126:
        head = (_HEAD_BINARY if binary else _HEAD_TEXT)[n]
    elif n < 65536:
        head = _head16(0x82 if binary else 0x81, 126, n)
    else:
        head = _head64(0x82 if binary else 0x81, 127, n)
    return head + payload


class _LastFrame:
    """The wire form of the payload framed last: a tick sends the same object to every
    client of a cell one after the other, so one entry saves all the framing but one."""

    __slots__ = ("data", "wire")

    def __init__(self) -> None:
        self.data: bytes | str | None = None
        self.wire = b""

    def of(self, data: bytes | str) -> bytes:
        if data is self.data:
            return self.wire
        wire = _wire(data, True) if type(data) is bytes else _wire(str(data).encode(), False)
        self.data, self.wire = data, wire
        return wire


_last = _LastFrame()


class DirectWebSocketProtocol(WebSocketsSansIOProtocol):
    consumer: Consumer | None = None

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        # Only frames without extensions (no permessage-deflate) may be written directly.
        if scope is not None and self.response.status_code == 101 and not self.conn.extensions:
            scope["extensions"][EXTENSION] = self

    def _between_frames(self) -> bool:
        """Whether the `websockets` parser waits for the first byte of a new frame."""
        conn = self.conn
        if conn.state is not State.OPEN or conn.reader.buffer or conn.current_size is not None:
            return False
        # ServerProtocol.parse (the handshake) delegates to Protocol.parse for frames,
        # which waits in StreamReader.at_eof between frames.
        outer: Any = conn.parser
        frames = outer.gi_yieldfrom
        if frames is None or frames.gi_code is not _PARSE:
            return False
        inner = frames.gi_yieldfrom
        return inner is not None and inner.gi_code is _AT_EOF

    def data_received(self, data: bytes) -> None:
        if self.consumer is None or self.close_sent or self.frames or not self._between_frames():
            super().data_received(data)
            return
        limit = self.conn.max_message_size
        pos, n = 0, len(data)
        while n - pos >= 6 and self.consumer is not None:
            if data[pos] != 0x82:  # FIN, no RSV bit, binary
                break
            length = data[pos + 1]
            if length < 0x80:  # unmasked: the parser fails the connection
                break
            length &= 0x7F
            head = pos + 2
            if length == 126:
                length = int.from_bytes(data[head : head + 2], "big")
                head += 2
            elif length == 127:
                break
            if limit is not None and length > limit:
                break
            end = head + 4 + length
            if end > n:
                break
            payload = apply_mask(data[head + 4 : end], data[head : head + 4])
            pos = end
            self.curr_msg_data_type = "bytes"
            self.frames = [payload]
            self.send_receive_event_to_app()
        if pos < n:
            super().data_received(data[pos:] if pos else data)

    def send_receive_event_to_app(self) -> None:
        consumer = self.consumer
        if consumer is None or self.close_sent or not self.queue.empty():
            super().send_receive_event_to_app()
            return
        frames = self.frames
        raw: bytes = frames[0] if len(frames) == 1 else b"".join(frames)
        data: bytes | str = raw
        if self.curr_msg_data_type == "text":
            try:
                data = raw.decode()
            except UnicodeDecodeError:
                super().send_receive_event_to_app()  # closes with 1007
                return
        self.frames = []
        message = consumer(data)
        if message is not None:
            self.queue.put_nowait(message)  # type: ignore[arg-type]
            if not self.read_paused:
                self.read_paused = True
                self.transport.pause_reading()

    def send_frame(self, data: bytes | str) -> bool:
        """Write one data frame now; False while the transport's buffer is full.
        Raises ConnectionError once the connection is closing or closed."""
        if self.close_sent or self.disconnected or self.conn.state is not State.OPEN:
            raise ConnectionError("the WebSocket is closing")
        if not self.writable.is_set():
            return False
        self.transport.write(_last.of(data))
        return True

    def handle_close(self, event: Frame) -> None:
        self.consumer = None
        super().handle_close(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self.consumer = None
        super().connection_lost(exc)
