"""Roles and the principal: who is calling, independent of how they authenticated."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FILER = "filer"
    OFFICER = "officer"
    AGENCY = "agency"
    ANALYST = "analyst"
    ADMIN = "admin"


# A filer key acts for one filer account, an agency key for one agency: the party is what scopes them.
PARTY_ROLES = frozenset({Role.FILER, Role.AGENCY})
# Roles whose work needs the consignee's identity (controls, notices, seizures); everyone else sees it masked.
PERSONAL_DATA_ROLES = frozenset({Role.OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    role: Role
    party: str | None = None  # the filer or agency the key belongs to
    key_id: str | None = None  # the key's public prefix, for the audit log
    # A named process of the service itself (the CLI, the demo, the automatic release), not a caller.
    system: str | None = None

    @classmethod
    def of_system(cls, name: str) -> Principal:
        """The service acting on its own: command-line tools, the demo's simulation, automatic decisions."""
        return cls(Role.ADMIN, system=name)

    @property
    def actor(self) -> str:
        """How the principal is named in events and the audit log."""
        if self.system:
            return f"system:{self.system}"
        name = f"{self.role}:{self.party}" if self.party else str(self.role)
        return f"{name} ({self.key_id})" if self.key_id else name

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


ANONYMOUS_ADMIN = Principal(Role.ADMIN)
