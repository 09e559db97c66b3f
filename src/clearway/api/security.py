"""Who is calling: API keys, roles and the principal every endpoint receives.

Endpoints declare the roles they admit with ``Depends(require(Role.OFFICER, ...))`` and receive the
calling ``Principal``. With ``Settings.auth == "off"`` (local demo, tests of other features) every
caller is an administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request

from clearway.api.problems import Problem


class Role(StrEnum):
    FILER = "filer"
    OFFICER = "officer"
    AGENCY = "agency"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    role: Role
    party: str | None = None  # the filer or agency the key belongs to
    key_id: str | None = None


ANONYMOUS_ADMIN = Principal(Role.ADMIN)


def require(*roles: Role) -> Callable[[Request], Principal]:
    """A FastAPI dependency admitting the given roles (administrators always)."""
    admitted = {*roles, Role.ADMIN}

    def dependency(request: Request) -> Principal:
        if request.app.state.settings.auth == "off":
            return ANONYMOUS_ADMIN
        principal = authenticate(request)
        if principal.role not in admitted:
            raise Problem(403, "Forbidden", f"role {principal.role} may not do this")
        return principal

    return dependency


def authenticate(request: Request) -> Principal:
    raise Problem(401, "Unauthorized", "API keys are not configured yet")
