"""The `/ws/world` WebSocket: picks the frame format, then runs one session.

The app authenticates the socket (guest cookie, staff cookie or `?token=`) and calls
`serve` with the principal, or `reject` when there is none.
"""

from __future__ import annotations

from starlette.websockets import WebSocket

from vitrina.core.security import Principal
from vitrina.world.direct import EXTENSION
from vitrina.world.hub import WorldHub
from vitrina.world.protocol import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, CloseCode
from vitrina.world.session import Session


def _format(websocket: WebSocket) -> tuple[bool, str | None]:
    """JSON mode with `?format=json` or the `vitrina.world.v1.json` subprotocol."""
    offered = websocket.scope.get("subprotocols") or []
    if SUBPROTOCOL_JSON in offered:
        return True, SUBPROTOCOL_JSON
    json_mode = websocket.query_params.get("format") == "json"
    if SUBPROTOCOL_MSGPACK in offered:
        return json_mode, SUBPROTOCOL_MSGPACK
    return json_mode, None


async def serve(websocket: WebSocket, principal: Principal, hub: WorldHub) -> None:
    json_mode, subprotocol = _format(websocket)
    await websocket.accept(subprotocol=subprotocol)
    # The server's direct lane (vitrina.world.direct), when it serves with that protocol.
    direct = (websocket.scope.get("extensions") or {}).get(EXTENSION)
    await Session(websocket, principal, hub, json_mode=json_mode, direct=direct).run()


async def reject(websocket: WebSocket, code: int = CloseCode.UNAUTHENTICATED) -> None:
    """Accept then close with `code`, so the client sees the reason (a refused
    handshake only shows up as HTTP 403 in browsers)."""
    await websocket.accept()
    await websocket.close(code=code, reason="unauthenticated")
