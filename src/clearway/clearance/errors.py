"""Errors of the clearance feature, each with its stable code, HTTP status and title."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from clearway.kit.errors import ClearwayError, Conflict, Finding, Forbidden, Invalid, NotFound

if TYPE_CHECKING:
    from clearway.declarations.vocabulary import State


class ShipmentNotFound(NotFound):
    """No such shipment, or one the caller may not see (the same answer, so existence never leaks)."""

    def __init__(self, shipment_id: uuid.UUID | str) -> None:
        super().__init__(f"no shipment {shipment_id}")


class NotPermitted(Forbidden):
    """The caller may not do this to this shipment (e.g. an agency lifting another agency's hold)."""


class TransitionRefused(Conflict):
    code, title = "transition", "Transition not allowed"

    def __init__(self, current: State, event: str, allowed: tuple[State, ...]) -> None:
        self.current, self.event, self.allowed = current, event, allowed
        names = ", ".join(s.value for s in allowed)
        super().__init__(
            f"'{event}' is not allowed in state '{current.value}' (allowed in: {names})", state=current.value
        )


class StaleVersion(Conflict):
    """The shipment changed since the version the caller read (If-Match, or a concurrent writer)."""

    code, title = "stale-version", "Stale version"

    def __init__(self, shipment_id: uuid.UUID, state: str, version: int) -> None:
        self.shipment_id, self.state, self.version = shipment_id, state, version
        super().__init__("the shipment changed meanwhile; reload and retry", state=state, version=version)


class BadIfMatch(ClearwayError):
    code, status, title = "if-match", 400, "Bad If-Match"

    def __init__(self, value: str) -> None:
        super().__init__(f'If-Match is the shipment\'s version as an entity tag (e.g. "3"), not {value!r}')


class StatedTimeRefused(Invalid):
    """A time stated by the caller that its role may not state, or outside the accepted bounds."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, errors=[Finding("event.at", "/at", message)], **extra)
