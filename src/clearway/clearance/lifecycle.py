"""Lifecycle of a shipment: pure transitions from (state, event) to an outcome.

filed → assessed → arrived → released, or → held (documents / NII / physical inspection / agency /
payment, several at once) → results and lifted holds → released, or seized / refused; released →
returned (with a refund of what was paid). Holds may be placed before arrival (a request for
information, an agency hold): the shipment then stays assessed and is held on arrival. Release needs
no open hold and revenue paid or secured (`release_allowed`, the one place that decides it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from clearway.clearance.errors import Overpayment, TransitionRefused
from clearway.declarations.vocabulary import Control, HoldKind, State

# The hold a control result answers; a physical examination also settles documents and scan.
CONTROL_HOLDS: dict[Control, frozenset[HoldKind]] = {
    Control.DOCUMENTS: frozenset({HoldKind.DOCUMENTS}),
    Control.NII: frozenset({HoldKind.NII}),
    Control.PHYSICAL: frozenset({HoldKind.DOCUMENTS, HoldKind.NII, HoldKind.INSPECTION}),
}


# The largest amount (a payment, an undervaluation found) accepted in one go, in minor units: far above
# any consignment's duties and taxes, far below what a 64-bit column holds.
MAX_PAYMENT_MINOR = 10**13


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
    control: Control = Control.PHYSICAL
    result: Literal["compliant", "non_compliant"]
    finding: Finding | None = None
    undervaluation_minor: Annotated[
        int | None,
        Field(
            gt=0,
            le=MAX_PAYMENT_MINOR,
            description="Value missing from the declaration, in revenue minor units",
        ),
    ] = None
    correct_hs_code: Annotated[str | None, Field(pattern=r"^[0-9]{6,10}$")] = None
    detail: Annotated[str | None, Field(max_length=1000)] = None

    @model_validator(mode="after")
    def _finding_fits(self) -> Self:
        if self.result == "compliant" and self.finding is not None:
            raise ValueError("finding: a compliant result has no finding")
        if self.result == "non_compliant" and self.finding is None and self.control != "nii":
            raise ValueError("finding: required for a non-compliant document check or physical inspection")
        if self.finding == "undervaluation" and self.undervaluation_minor is None:
            raise ValueError("undervaluation_minor: required with finding 'undervaluation'")
        if self.finding == "misclassification" and self.correct_hs_code is None:
            raise ValueError("correct_hs_code: required with finding 'misclassification'")
        return self


class Payment(_Event):
    type: Literal["payment"]
    amount_minor: Annotated[
        int,
        Field(gt=0, le=MAX_PAYMENT_MINOR, description="Amount paid in minor units of the revenue currency"),
    ]
    reference: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=140,
            description="The payment's reference; the same reference again records nothing (idempotent)",
        ),
    ] = None


class Return(_Event):
    type: Literal["return"]


class PlaceHold(_Event):
    type: Literal["hold"]
    kind: Literal["documents", "nii", "inspection", "agency"]
    reason_code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")]
    text: Annotated[str, Field(min_length=1, max_length=1000, description="What the filer reads")]
    agency: Annotated[str | None, Field(min_length=2, max_length=16)] = None

    @model_validator(mode="after")
    def _agency_named(self) -> Self:
        if (self.kind == "agency") != (self.agency is not None):
            raise ValueError("agency: required for an agency hold and only for one")
        return self


class LiftHold(_Event):
    type: Literal["lift_hold"]
    hold_id: Annotated[int, Field(gt=0, le=2**63 - 1)]


class Refusal(_Event):
    type: Literal["refuse"]


ShipmentEvent = Annotated[
    Arrival | InspectionResult | Payment | Return | PlaceHold | LiftHold | Refusal,
    Field(discriminator="type"),
]
AnyEvent = Arrival | InspectionResult | Payment | Return | PlaceHold | LiftHold | Refusal


@dataclass(frozen=True, slots=True)
class OpenHold:
    id: int
    kind: HoldKind
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class Current:
    state: State
    lane: str
    due_minor: int
    paid_minor: int
    on_account: bool  # revenue secured on a deferred-payment account
    open_holds: frozenset[HoldKind]
    holds: tuple[OpenHold, ...] = ()  # the open holds one by one (needed to lift one by its id)


@dataclass(frozen=True, slots=True)
class NewHold:
    kind: HoldKind
    reason_code: str
    text: str
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    state: State
    # (event type, WCO DM timestamp id, state after) in the order they happened
    events: tuple[tuple[str, str | None, State], ...]
    open: tuple[NewHold, ...] = ()
    close: frozenset[HoldKind] = frozenset()
    close_ids: frozenset[int] = frozenset()
    paid_minor: int = 0
    refund_minor: int = 0
    data: dict[str, str] = field(default_factory=dict)


def _require(current: Current, event: str, *allowed: State) -> None:
    if current.state not in allowed:
        raise TransitionRefused(current.state, event, allowed)


def _owes(current: Current, paid: int) -> bool:
    return not current.on_account and paid < current.due_minor


def release_allowed(current: Current, paid: int, remaining: frozenset[HoldKind]) -> bool:
    """The release condition: no open hold of any kind, and revenue paid or secured on account."""
    return not remaining and not _owes(current, paid)


def _release_or_hold(
    current: Current,
    prior: tuple[tuple[str, str | None, State], ...],
    remaining: frozenset[HoldKind],
    *,
    close: frozenset[HoldKind] = frozenset(),
    close_ids: frozenset[int] = frozenset(),
    data: dict[str, str],
    paid_minor: int = 0,
) -> Outcome:
    if not release_allowed(current, current.paid_minor + paid_minor, remaining):
        return Outcome(State.HELD, prior, close=close, close_ids=close_ids, paid_minor=paid_minor, data=data)
    released = (*prior, ("released", "277", State.RELEASED))
    return Outcome(
        State.RELEASED, released, close=close, close_ids=close_ids, paid_minor=paid_minor, data=data
    )


def on_arrival(current: Current) -> Outcome:
    _require(current, "arrival", State.ASSESSED)
    already = current.open_holds
    holds: list[NewHold] = []
    if current.lane == "yellow" and HoldKind.DOCUMENTS not in already:
        holds.append(
            NewHold(
                HoldKind.DOCUMENTS, "DOC-CHECK", "Documentary check: provide invoice and proof of payment"
            )
        )
    if current.lane == "red" and HoldKind.INSPECTION not in already:
        holds.append(NewHold(HoldKind.INSPECTION, "PHYS-INSP", "Selected for physical inspection"))
    if _owes(current, current.paid_minor) and HoldKind.PAYMENT not in already:
        holds.append(NewHold(HoldKind.PAYMENT, "PAYMENT-DUE", "Duties and taxes to be paid before release"))
    if holds or already:
        return Outcome(State.HELD, (("arrival", "172", State.HELD),), open=tuple(holds))
    return Outcome(State.RELEASED, (("arrival", "172", State.ARRIVED), ("released", "277", State.RELEASED)))


def on_inspection_result(current: Current, event: InspectionResult) -> Outcome:
    _require(current, "inspection_result", State.HELD)
    answers = CONTROL_HOLDS[event.control]
    if not current.open_holds & answers:
        raise TransitionRefused(current.state, "inspection_result (no open control hold)", (State.HELD,))
    data: dict[str, str] = {"control": event.control, "result": event.result}
    for key in ("finding", "undervaluation_minor", "correct_hs_code", "detail"):
        value = getattr(event, key)
        if value is not None:
            data[key] = str(value)
    prior: tuple[tuple[str, str | None, State], ...] = (("inspection_result", "356", State.HELD),)
    if event.result == "non_compliant" and event.control == "nii":
        # A suspicious scan is not a finding yet: it sends the parcel to physical inspection.
        hold = NewHold(HoldKind.INSPECTION, "NII-ALERT", "Scan image needs a physical inspection")
        return Outcome(State.HELD, prior, open=(hold,), close=answers, data=data)
    if event.result == "non_compliant":
        return Outcome(
            State.SEIZED,
            (*prior, ("seized", None, State.SEIZED)),
            close=current.open_holds,
            data=data,
        )
    return _release_or_hold(current, prior, current.open_holds - answers, close=answers, data=data)


def on_payment(current: Current, event: Payment) -> Outcome:
    _require(current, "payment", State.ASSESSED, State.HELD)
    still_due = max(current.due_minor - current.paid_minor, 0)
    if event.amount_minor > still_due:
        raise Overpayment(event.amount_minor, still_due)
    paid = current.paid_minor + event.amount_minor
    settled = not _owes(current, paid)
    close = frozenset({HoldKind.PAYMENT}) if settled else frozenset()
    data = {"amount_minor": str(event.amount_minor)}
    if event.reference:
        data["reference"] = event.reference
    if current.state is State.ASSESSED:
        return Outcome(
            State.ASSESSED, (("payment", None, State.ASSESSED),), paid_minor=event.amount_minor, data=data
        )
    return _release_or_hold(
        current,
        (("payment", None, State.HELD),),
        current.open_holds - close,
        close=close,
        paid_minor=event.amount_minor,
        data=data,
    )


def on_return(current: Current) -> Outcome:
    _require(current, "return", State.RELEASED)
    trail: tuple[tuple[str, str | None, State], ...] = (("returned", None, State.RETURNED),)
    if current.paid_minor > 0:
        trail = (*trail, ("refund", None, State.RETURNED))
    data = {"refund_minor": str(current.paid_minor)} if current.paid_minor else {}
    return Outcome(State.RETURNED, trail, refund_minor=current.paid_minor, data=data)


def on_place_hold(current: Current, event: PlaceHold) -> Outcome:
    _require(current, "hold", State.ASSESSED, State.HELD)
    hold = NewHold(HoldKind(event.kind), event.reason_code, event.text, event.agency)
    data = {"kind": event.kind, "reason_code": event.reason_code}
    if event.agency:
        data["agency"] = event.agency
    return Outcome(current.state, (("hold", None, current.state),), open=(hold,), data=data)


def on_lift_hold(current: Current, event: LiftHold) -> Outcome:
    _require(current, "lift_hold", State.ASSESSED, State.HELD)
    hold = next((h for h in current.holds if h.id == event.hold_id), None)
    if hold is None:
        raise TransitionRefused(current.state, f"lift_hold (hold {event.hold_id} is not open)", (State.HELD,))
    if hold.kind is HoldKind.PAYMENT:
        # Only a payment (or an account securing it) settles what is owed.
        raise TransitionRefused(current.state, "lift_hold (a payment hold closes on payment)", (State.HELD,))
    data = {"hold_id": str(hold.id), "kind": hold.kind.value}
    if hold.agency:
        data["agency"] = hold.agency
    remaining = frozenset(h.kind for h in current.holds if h.id != hold.id)
    if current.state is State.ASSESSED:
        return Outcome(
            State.ASSESSED,
            (("hold_lifted", None, State.ASSESSED),),
            close_ids=frozenset({hold.id}),
            data=data,
        )
    return _release_or_hold(
        current,
        (("hold_lifted", None, State.HELD),),
        remaining,
        close_ids=frozenset({hold.id}),
        data=data,
    )


def on_refusal(current: Current) -> Outcome:
    _require(current, "refuse", State.ASSESSED, State.HELD)
    return Outcome(State.REFUSED, (("refused", None, State.REFUSED),), close=current.open_holds)


def apply(current: Current, event: AnyEvent) -> Outcome:
    match event:
        case Arrival():
            return on_arrival(current)
        case InspectionResult():
            return on_inspection_result(current, event)
        case Payment():
            return on_payment(current, event)
        case Return():
            return on_return(current)
        case PlaceHold():
            return on_place_hold(current, event)
        case LiftHold():
            return on_lift_hold(current, event)
        case Refusal():
            return on_refusal(current)
