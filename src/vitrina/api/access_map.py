"""Which access rule guards each HTTP operation, read from the routes' dependencies, and
the OpenAPI description that publishes it with the errors each operation can answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from vitrina.api.deps import Access
from vitrina.api.openapi_problems import document_problems


def _labels(dependant: Dependant) -> set[str]:
    labels = {d.call.label for d in dependant.dependencies if isinstance(d.call, Access)}
    for sub in dependant.dependencies:
        labels |= _labels(sub)
    return labels


def operations(app: FastAPI) -> Iterator[tuple[str, str, set[str]]]:
    """(method, path, access labels) for every API operation, including included routers."""
    for ctx in iter_route_contexts(app.routes):
        dependant = getattr(ctx, "dependant", None)
        if not isinstance(dependant, Dependant):
            continue  # FastAPI's own docs routes and plain Starlette routes
        for method in sorted(ctx.methods or ()):
            yield method, str(ctx.path), _labels(dependant)


def install_openapi_access(app: FastAPI) -> None:
    """Publishes each operation's rule in OpenAPI as `x-vitrina-access`."""
    default_openapi: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = default_openapi()
        rules: dict[tuple[str, str], str] = {}
        for method, path, labels in operations(app):
            rules[method, path] = ", ".join(sorted(labels))
            op = spec.get("paths", {}).get(path, {}).get(method.lower())
            if op is not None:
                op["x-vitrina-access"] = rules[method, path]
        document_problems(spec, rules)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
