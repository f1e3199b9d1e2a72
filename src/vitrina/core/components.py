"""What the composition root started, looked up by type by the code serving requests.

`vitrina.services` builds and starts every part from the settings and adds each to the
app's `Components`; a route reaches the part it needs through a small accessor used as a
FastAPI dependency (`components_of(conn).get(ConsoleHub)`), so nothing travels through
untyped attributes and no domain needs to know the composition root.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

from starlette.requests import HTTPConnection

T = TypeVar("T")


class NotStarted(LookupError):
    """A part was asked for outside the app's lifespan, or was never started."""


class Components:
    """Started parts keyed by their type; one instance per app."""

    def __init__(self) -> None:
        self._items: dict[type[Any], object] = {}

    def add(self, kind: type[T], item: T) -> T:
        self._items[kind] = item
        return item

    def get(self, kind: type[T]) -> T:
        try:
            return cast(T, self._items[kind])
        except KeyError:
            raise NotStarted(f"{kind.__name__} is not running: the app has not started.") from None

    def find(self, kind: type[T]) -> T | None:
        return cast(T | None, self._items.get(kind))

    def clear(self) -> None:
        self._items.clear()


class HasComponents(Protocol):
    components: Components


def components_of(conn: HTTPConnection) -> Components:
    """The started parts of the app serving this request or socket."""
    app: HasComponents = conn.app
    return app.components
