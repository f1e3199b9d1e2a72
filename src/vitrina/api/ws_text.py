"""Reading JSON-text WebSockets (the widget and the console) without tripping on binary."""

from __future__ import annotations

from fastapi import WebSocket, WebSocketDisconnect

BINARY_DETAIL = "Frames on this socket are JSON text; a binary frame was ignored."


async def receive_text(websocket: WebSocket) -> str | None:
    """The next text frame, or None for a binary one, which the caller answers with an
    error frame while the socket stays open. Raises WebSocketDisconnect when it closes."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text: str | None = message.get("text")
    return text
