"""Lifecycle of a shipment, first version: pure transitions from (state, event) to an outcome.

filed → assessed → arrived → released, or → held → (inspection result) → released / seized;
released → returned. Release needs no open hold and nothing owed at the border (or owed on an
intermediary's deferred-payment account).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class State(StrEnum):
    FILED = "filed"
    ASSESSED = "assessed"
    ARRIVED = "arrived"
    HELD = "held"
    RELEASED = "released"
    SEIZED = "seized"
    RETURNED = "returned"


class HoldKind(StrEnum):
    DOCUMENTS = "documents"
    INSPECTION = "inspection"
    PAYMENT = "payment"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    at: dt.datetime | None = Field(default=None, description="When it happened; the receipt time when absent")
    actor: Annotated[str, Field(min_length=1, max_length=70)] = "system"
    reason: Annotated[str | None, Field(max_length=1000)] = None


class Arrival(_Event):
    type: Literal["arrival"]


Finding = Literal["undervaluation", "misclassification", "prohibited", "counterfeit", "other"]


class InspectionResult(_Event):
    type: Literal["inspection_result"]
    control: Literal["documents", "nii", "physical"] = "physical"
    result: Literal["compliant", "non_compliant"]
    finding: Literal["undervaluation", "misclassification", "prohibited", "counterfeit", "other"] | None = (
        None
    )


class Payment(_Event):
    type: Literal["payment"]
    amount_minor: Annotated[
        int, Field(gt=0, description="Amount paid in minor units of the revenue currency")
    ]


class Return(_Event):
    type: Literal["return"]


ShipmentEvent = Annotated[Arrival | InspectionResult | Payment | Return, Field(discriminator="type")]


@dataclass(frozen=True, slots=True)
class Current:
    state: State
    lane: str
    due_minor: int
    paid_minor: int
    on_account: bool
    open_holds: frozenset[HoldKind]


@dataclass(frozen=True, slots=True)
class NewHold:
    kind: HoldKind
    reason_code: str
    text: str


@dataclass(frozen=True, slots=True)
class Outcome:
    state: State
    # (event type, WCO DM timestamp id, state after) in the order they happened
    events: tuple[tuple[str, str | None, State], ...]
    open: tuple[NewHold, ...] = ()
    close: frozenset[HoldKind] = frozenset()
    paid_minor: int = 0
    data: dict[str, str] = field(default_factory=dict)


class TransitionRefused(Exception):
    def __init__(self, current: State, event: str, allowed: tuple[State, ...]) -> None:
        self.current, self.event, self.allowed = current, event, allowed
        names = ", ".join(s.value for s in allowed)
        super().__init__(f"'{event}' is not allowed in state '{current.value}' (allowed in: {names})")


def _require(current: Current, event: str, *allowed: State) -> None:
    if current.state not in allowed:
        raise TransitionRefused(current.state, event, allowed)


def _owes(current: Current, paid: int) -> bool:
    return not current.on_account and paid < current.due_minor


def _release_or_hold(
    prior: tuple[tuple[str, str | None, State], ...],
    remaining: frozenset[HoldKind],
    *,
    close: frozenset[HoldKind],
    data: dict[str, str],
    paid_minor: int = 0,
) -> Outcome:
    if remaining:
        return Outcome(State.HELD, prior, close=close, paid_minor=paid_minor, data=data)
    released = (*prior, ("released", "277", State.RELEASED))
    return Outcome(State.RELEASED, released, close=close, paid_minor=paid_minor, data=data)


def on_arrival(current: Current) -> Outcome:
    _require(current, "arrival", State.ASSESSED)
    holds: list[NewHold] = []
    if current.lane == "yellow":
        holds.append(
            NewHold(
                HoldKind.DOCUMENTS, "DOC-CHECK", "Documentary check: provide invoice and proof of payment"
            )
        )
    if current.lane == "red":
        holds.append(NewHold(HoldKind.INSPECTION, "PHYS-INSP", "Selected for physical inspection"))
    if _owes(current, current.paid_minor):
        holds.append(NewHold(HoldKind.PAYMENT, "PAYMENT-DUE", "Duties and taxes to be paid before release"))
    if holds:
        return Outcome(State.HELD, (("arrival", "172", State.HELD),), open=tuple(holds))
    return Outcome(State.RELEASED, (("arrival", "172", State.ARRIVED), ("released", "277", State.RELEASED)))


def on_inspection_result(current: Current, event: InspectionResult) -> Outcome:
    _require(current, "inspection_result", State.HELD)
    controls = frozenset({HoldKind.DOCUMENTS, HoldKind.INSPECTION})
    if not current.open_holds & controls:
        raise TransitionRefused(current.state, "inspection_result (no open control hold)", (State.HELD,))
    data: dict[str, str] = {"control": event.control, "result": event.result}
    if event.finding:
        data["finding"] = event.finding
    if event.result == "non_compliant":
        return Outcome(
            State.SEIZED,
            (("inspection_result", "356", State.HELD), ("seized", None, State.SEIZED)),
            close=current.open_holds,
            data=data,
        )
    remaining = current.open_holds - controls
    return _release_or_hold((("inspection_result", "356", State.HELD),), remaining, close=controls, data=data)


def on_payment(current: Current, event: Payment) -> Outcome:
    _require(current, "payment", State.ASSESSED, State.HELD)
    paid = current.paid_minor + event.amount_minor
    settled = not _owes(current, paid)
    close = frozenset({HoldKind.PAYMENT}) if settled else frozenset()
    data = {"amount_minor": str(event.amount_minor)}
    if current.state is State.ASSESSED:
        return Outcome(
            State.ASSESSED, (("payment", None, State.ASSESSED),), paid_minor=event.amount_minor, data=data
        )
    return _release_or_hold(
        (("payment", None, State.HELD),),
        current.open_holds - close,
        close=close,
        paid_minor=event.amount_minor,
        data=data,
    )


def on_return(current: Current) -> Outcome:
    _require(current, "return", State.RELEASED)
    return Outcome(State.RETURNED, (("returned", None, State.RETURNED),))


def apply(current: Current, event: Arrival | InspectionResult | Payment | Return) -> Outcome:
    match event:
        case Arrival():
            return on_arrival(current)
        case InspectionResult():
            return on_inspection_result(current, event)
        case Payment():
            return on_payment(current, event)
        case Return():
            return on_return(current)
