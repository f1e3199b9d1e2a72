"""The world's one HTTP route besides its socket: leaving from a closing page.

A tab that closes sends `leave` on its socket, but the browser may tear the socket down
before that frame is out; `navigator.sendBeacon` is delivered after the page is gone.
The resume token is the permission: it is issued to that client alone and already lets
it take the avatar over (docs/protocol.md, `resume`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from vitrina.api.deps import PUBLIC
from vitrina.core.components import components_of
from vitrina.core.errors import NotFound
from vitrina.world.hub import WorldHub

router = APIRouter(prefix="/api/world", tags=["world"], dependencies=[Depends(PUBLIC)])


class LeaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=128)


@router.post(
    "/leave",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the avatar of a closing page now (public: the resume token is the permission)",
    responses={404: {"description": "No avatar of this node holds that token"}},
)
async def leave(body: LeaveRequest, request: Request) -> Response:
    hub = components_of(request).get(WorldHub)
    if not await hub.leave_by_token(body.token):
        raise NotFound("No avatar here holds that token.", code="unknown_avatar")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
