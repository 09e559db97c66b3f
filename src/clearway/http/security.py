"""Who is calling: API keys, roles and the principal every endpoint receives.

Endpoints declare the roles they admit with ``Depends(require(Role.OFFICER, ...))`` and receive the
calling ``Principal``. With ``Settings.auth == "off"`` (local demo, tests of other features) every
caller is an administrator.

A key comes as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; the dashboard's login sets a
signed session cookie instead (`clearway.web.login`). No credentials → 401; a malformed, unknown,
revoked or expired key → 401 saying which; a role the endpoint does not admit → 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import Request

from clearway.http.problems import Problem
from clearway.http.sessions import SESSION_COOKIE, same_origin, session_claim
from clearway.security import keys
from clearway.security.roles import ANONYMOUS_ADMIN, Principal, Role
from clearway.security.visibility import visible_shipment_filter

__all__ = [
    "ANONYMOUS_ADMIN",
    "SESSION_COOKIE",
    "Principal",
    "Role",
    "Unauthenticated",
    "authenticate",
    "declared_roles",
    "require",
    "visible_shipment_filter",
]

_PROBLEMS = "https://clearway.dev/problems/"


class Unauthenticated(Problem):
    """401: no valid credentials. The dashboard turns it into a redirect to its login page."""

    def __init__(self, detail: str, kind: str) -> None:
        super().__init__(401, "Unauthorized", detail, _PROBLEMS + kind)


def require(*roles: Role) -> Callable[[Request], Principal]:
    """A FastAPI dependency admitting the given roles (administrators always)."""
    admitted = frozenset({*roles, Role.ADMIN})

    def dependency(request: Request) -> Principal:
        if request.app.state.settings.auth == "off":
            request.state.principal = ANONYMOUS_ADMIN
            return ANONYMOUS_ADMIN
        principal = authenticate(request)
        request.state.principal = principal  # for the audit of changes (http.uow)
        if principal.role not in admitted:
            allowed = ", ".join(sorted(admitted))
            raise Problem(
                403,
                "Forbidden",
                f"role {principal.role} may not do this; it needs one of: {allowed}",
                _PROBLEMS + "forbidden-role",
                role=str(principal.role),
                allowed=sorted(admitted),
            )
        return principal

    # Read by the authorization matrix test and the route listing: what each endpoint admits.
    dependency.roles = admitted  # type: ignore[attr-defined]
    return dependency


def declared_roles(endpoint_dependency: object) -> frozenset[Role] | None:
    """The roles a `require(...)` dependency admits; None for any other callable."""
    roles = getattr(endpoint_dependency, "roles", None)
    return roles if isinstance(roles, frozenset) else None


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("Authorization must be 'Bearer <API key>'", "malformed-key")
        return value.strip()
    api_key = request.headers.get("x-api-key")
    return api_key.strip() if api_key else None


def _refused(verdict: keys.Verdict, prefix: str | None) -> Unauthenticated:
    which = f"API key {prefix}" if prefix else "the API key"
    match verdict.refusal:
        case "expired":
            when = verdict.since.isoformat() if verdict.since else "earlier"
            return Unauthenticated(f"{which} expired at {when}; ask for a new key", "key-expired")
        case "revoked":
            when = verdict.since.isoformat() if verdict.since else "earlier"
            return Unauthenticated(f"{which} was revoked at {when}", "key-revoked")
        case "malformed":
            return Unauthenticated("the API key is malformed: expected cw_<prefix>_<secret>", "malformed-key")
        case _:
            return Unauthenticated(f"{which} is not known", "unknown-key")


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate(request: Request) -> Principal:
    key = _presented_key(request)
    engine = request.app.state.engine
    if key is None:
        claim = session_claim(request)
        if claim is None:
            raise Unauthenticated(
                "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                "unauthenticated",
            )
        prefix, issued = claim
        if request.method not in _SAFE_METHODS and not same_origin(request):
            raise Problem(
                403,
                "Forbidden",
                "a change made with the session cookie must come from this site's pages (Origin)",
                _PROBLEMS + "cross-site",
            )
        with engine.connect() as conn:
            verdict = keys.verify_session(conn, prefix, dt.datetime.fromtimestamp(issued, dt.UTC))
        if verdict.principal is None:
            raise _refused(verdict, prefix)
        return verdict.principal
    with engine.connect() as conn:
        verdict = keys.verify(conn, key)
    if verdict.principal is None:
        parsed = keys.parse_key(key)
        raise _refused(verdict, parsed[0] if parsed else None)
    return verdict.principal
