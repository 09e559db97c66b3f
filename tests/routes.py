"""Every endpoint of the app with the roles it admits, read from the routes (tests walk them all)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from clearway.http.security import declared_roles
from clearway.security.roles import Role


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    roles: frozenset[Role] | None  # None: no require() dependency at all


def _require_deps(dependant: Any) -> Iterator[frozenset[Role]]:
    for sub in dependant.dependencies:
        roles = declared_roles(sub.call)
        if roles is not None:
            yield roles
        yield from _require_deps(sub)


def endpoints(app: FastAPI) -> list[Endpoint]:
    out = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path is None:  # Starlette's own: /openapi.json, /docs
            continue
        declared = list(_require_deps(dependant))
        roles = frozenset.intersection(*declared) if declared else None
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                out.append(Endpoint(method, route.path, roles))
    return out
