"""Errors of the clearance feature, each with its stable code, HTTP status and title."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clearway.kit.errors import ClearwayError, Conflict, Finding, Forbidden, Invalid, NotFound

if TYPE_CHECKING:
    from clearway.clearance.aeo import RowError
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


# --- master data: offices, traders, agencies, AEO lists --------------------------------------------------
# Each keeps its `ValueError` base beside `Invalid`, so that callers catching `ValueError` keep working.


class InvalidOffice(Invalid, ValueError):
    """Bad customs office data; `field` names what is wrong."""

    code, title = "invalid-office", "Invalid customs office"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}", errors=[Finding(f"office.{field}", f"/{field}", message)])


class InvalidTin(Invalid, ValueError):
    """A TIN that is not one: the check that failed is the code of the one field error
    (`errors[0].code`: `tin.country`, `tin.format`, `tin.check_digits`)."""

    code, title = "invalid-tin", "Invalid TIN"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, errors=[Finding(code, "/tin", message)])


class InvalidSubscription(Invalid, ValueError):
    """Bad agency or subscription data; `field` names what is wrong."""

    code, title = "invalid-subscription", "Invalid agency subscription"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(
            f"{field}: {message}", errors=[Finding(f"subscription.{field}", f"/{field}", message)]
        )


class ExchangeError(Invalid, ValueError):
    """An AEO exchange file with bad rows: every error of every row, as `errors` (line = row, column =
    field)."""

    code, title = "aeo-exchange", "Invalid AEO exchange file"

    def __init__(self, errors: Sequence[RowError]) -> None:
        first = errors[0]
        super().__init__(
            f"{len(errors)} error(s); first: row {first.row}, {first.field}: {first.message}",
            errors=[e.as_finding() for e in errors],
        )


class Overpayment(Invalid):
    """A payment above what is still due: refused, saying what is due (nothing is ever taken twice)."""

    code, title = "overpayment", "Payment above what is due"

    def __init__(self, amount_minor: int, due_minor: int) -> None:
        message = f"{amount_minor} is more than is due ({due_minor} minor units still due)"
        super().__init__(
            message, errors=[Finding("payment.amount_minor", "/amount_minor", message)], due_minor=due_minor
        )
