"""Interest signals sent over the world socket (dwell on a product part, gaze, clicks).

The world checks their shape and rate only; consent gating and storage are the insights
domain's, reached through the event bus so that the world knows nothing of it. The
visitor's own session is the subject: a frame cannot speak for anybody else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from vitrina.core.events import DomainEvent
from vitrina.world.protocol import ErrorCode, FrameError, InterestIn, InterestSample

if TYPE_CHECKING:
    from vitrina.world.hub import WorldHub
    from vitrina.world.session import Session

RATE = 2.0  # interest frames per second (each up to INTEREST_MAX_SAMPLES samples)
BURST = 10.0


class InterestSignalled(DomainEvent):
    """A visitor's batch of interest samples, in the shape of the insights batch API."""

    type: ClassVar[str] = "world.interest_signalled"
    brand: str
    session_id: str
    signals: list[dict[str, Any]]


class Budget:
    """A token bucket of interest frames for one connection."""

    __slots__ = ("allowance", "at")

    def __init__(self, now: float) -> None:
        self.allowance = BURST
        self.at = now

    def take(self, now: float) -> bool:
        self.allowance = min(BURST, self.allowance + (now - self.at) * RATE)
        self.at = now
        if self.allowance < 1.0:
            return False
        self.allowance -= 1.0
        return True


def _signal(sample: InterestSample) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": sample.type,
        "product": sample.product,
        "part": sample.part,
        "at": datetime.fromtimestamp(sample.at / 1000, UTC),
    }
    if sample.duration_ms is not None:
        out["duration_ms"] = sample.duration_ms
    if sample.ray is not None:
        out["ray"] = {"origin": list(sample.ray.origin), "direction": list(sample.ray.direction)}
    return out


async def signalled(hub: WorldHub, session: Session, frame: InterestIn, now: float) -> None:
    """Hand a visitor's samples on; the insights subscriber has gated and stored them
    (or dropped and counted them) when this returns."""
    _, room = session.where()
    if not session.interest.take(now):
        hub.stats.rate_limited += 1
        raise FrameError(ErrorCode.RATE_LIMITED, "too many interest frames", "interest")
    if room.id in hub.private:
        return  # a rehearsal is nobody's interest profile
    await hub.bus.publish(
        InterestSignalled(
            brand=room.brand,
            session_id=session.principal.session_id,
            signals=[_signal(s) for s in frame.s],
        )
    )
