"""Shipment lifecycle: every allowed and every refused transition of the pure state machine."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from clearway.clearance.errors import Overpayment, TransitionRefused
from clearway.clearance.lifecycle import (
    Arrival,
    Current,
    InspectionResult,
    NewHold,
    Outcome,
    Payment,
    Return,
    ShipmentEvent,
    apply,
)
from clearway.declarations.vocabulary import HoldKind, State

ARRIVAL = Arrival(type="arrival")
COMPLIANT = InspectionResult(type="inspection_result", result="compliant")
NON_COMPLIANT = InspectionResult(type="inspection_result", result="non_compliant", finding="counterfeit")
RETURN = Return(type="return")


def pay(amount: int) -> Payment:
    return Payment(type="payment", amount_minor=amount)


def current(
    state: State,
    lane: str = "green",
    due: int = 0,
    paid: int = 0,
    on_account: bool = False,
    holds: frozenset[HoldKind] = frozenset(),
) -> Current:
    return Current(state, lane, due, paid, on_account, holds)


def trail(outcome: Outcome) -> list[tuple[str, str | None, State]]:
    return list(outcome.events)


# --- arrival ----------------------------------------------------------------------------------------


def test_arrival_green_nothing_owed_is_released() -> None:
    out = apply(current(State.ASSESSED), ARRIVAL)
    assert out.state is State.RELEASED
    assert trail(out) == [("arrival", "172", State.ARRIVED), ("released", "277", State.RELEASED)]
    assert out.open == () and out.close == frozenset()


@pytest.mark.parametrize(
    ("lane", "due", "paid", "on_account", "kinds"),
    [
        ("yellow", 0, 0, False, [HoldKind.DOCUMENTS]),
        ("red", 0, 0, False, [HoldKind.INSPECTION]),
        ("green", 1474, 0, False, [HoldKind.PAYMENT]),
        ("green", 1474, 1473, False, [HoldKind.PAYMENT]),  # one cent short
        ("yellow", 1474, 0, False, [HoldKind.DOCUMENTS, HoldKind.PAYMENT]),
        ("red", 500, 0, False, [HoldKind.INSPECTION, HoldKind.PAYMENT]),
        ("red", 500, 0, True, [HoldKind.INSPECTION]),  # intermediary's deferred account
    ],
)
def test_arrival_opens_holds(lane: str, due: int, paid: int, on_account: bool, kinds: list[HoldKind]) -> None:
    out = apply(current(State.ASSESSED, lane, due, paid, on_account), ARRIVAL)
    assert out.state is State.HELD
    assert trail(out) == [("arrival", "172", State.HELD)]
    assert [h.kind for h in out.open] == kinds
    assert all(isinstance(h, NewHold) and h.reason_code and h.text for h in out.open)


@pytest.mark.parametrize(
    ("due", "paid", "on_account"), [(1474, 1474, False), (1474, 2000, False), (1474, 0, True)]
)
def test_arrival_paid_in_advance_or_on_account_is_released(due: int, paid: int, on_account: bool) -> None:
    out = apply(current(State.ASSESSED, "green", due, paid, on_account), ARRIVAL)
    assert out.state is State.RELEASED


# --- inspection results -----------------------------------------------------------------------------


@pytest.mark.parametrize("hold", [HoldKind.DOCUMENTS, HoldKind.INSPECTION])
def test_compliant_control_releases(hold: HoldKind) -> None:
    out = apply(current(State.HELD, "red", holds=frozenset({hold})), COMPLIANT)
    assert out.state is State.RELEASED
    assert trail(out) == [("inspection_result", "356", State.HELD), ("released", "277", State.RELEASED)]
    assert hold in out.close and HoldKind.PAYMENT not in out.close
    assert out.data == {"control": "physical", "result": "compliant"}


def test_compliant_control_with_payment_still_open_stays_held() -> None:
    holds = frozenset({HoldKind.INSPECTION, HoldKind.PAYMENT})
    out = apply(current(State.HELD, "red", due=500, holds=holds), COMPLIANT)
    assert out.state is State.HELD
    assert trail(out) == [("inspection_result", "356", State.HELD)]
    # a physical examination also answers a documentary check and a scan
    assert out.close == frozenset({HoldKind.DOCUMENTS, HoldKind.NII, HoldKind.INSPECTION})


def test_non_compliant_control_seizes_and_closes_every_hold() -> None:
    holds = frozenset({HoldKind.INSPECTION, HoldKind.PAYMENT})
    out = apply(current(State.HELD, "red", due=500, holds=holds), NON_COMPLIANT)
    assert out.state is State.SEIZED
    assert trail(out) == [("inspection_result", "356", State.HELD), ("seized", None, State.SEIZED)]
    assert out.close == holds
    assert out.data == {"control": "physical", "result": "non_compliant", "finding": "counterfeit"}


def test_inspection_result_without_an_open_control_hold_is_refused() -> None:
    with pytest.raises(TransitionRefused) as info:
        apply(current(State.HELD, due=500, holds=frozenset({HoldKind.PAYMENT})), COMPLIANT)
    assert info.value.current is State.HELD


# --- payments ---------------------------------------------------------------------------------------


def test_payment_before_arrival_stays_assessed() -> None:
    out = apply(current(State.ASSESSED, due=1474), pay(1474))
    assert out.state is State.ASSESSED
    assert trail(out) == [("payment", None, State.ASSESSED)]
    assert out.paid_minor == 1474 and out.data == {"amount_minor": "1474"}


def test_payment_settling_the_only_hold_releases() -> None:
    out = apply(current(State.HELD, due=1474, paid=474, holds=frozenset({HoldKind.PAYMENT})), pay(1000))
    assert out.state is State.RELEASED
    assert trail(out) == [("payment", None, State.HELD), ("released", "277", State.RELEASED)]
    assert out.close == frozenset({HoldKind.PAYMENT})
    assert out.paid_minor == 1000  # this payment, not the running total


def test_partial_payment_keeps_the_hold() -> None:
    out = apply(current(State.HELD, due=1474, holds=frozenset({HoldKind.PAYMENT})), pay(1473))
    assert out.state is State.HELD
    assert out.close == frozenset()
    assert trail(out) == [("payment", None, State.HELD)]


def test_payment_with_a_control_still_open_stays_held() -> None:
    holds = frozenset({HoldKind.DOCUMENTS, HoldKind.PAYMENT})
    out = apply(current(State.HELD, "yellow", due=1474, holds=holds), pay(1474))
    assert out.state is State.HELD
    assert out.close == frozenset({HoldKind.PAYMENT})


def test_payment_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        pay(0)
    with pytest.raises(ValidationError):
        pay(-1)


# --- return -----------------------------------------------------------------------------------------


def test_return_after_release() -> None:
    out = apply(current(State.RELEASED), RETURN)
    assert out.state is State.RETURNED
    assert trail(out) == [("returned", None, State.RETURNED)]


# --- the full table of refusals ---------------------------------------------------------------------

EVENTS: dict[str, Arrival | InspectionResult | Payment | Return] = {
    "arrival": ARRIVAL,
    "inspection_result": COMPLIANT,
    "payment": pay(100),
    "return": RETURN,
}
ALLOWED = {
    "arrival": {State.ASSESSED},
    "inspection_result": {State.HELD},
    "payment": {State.ASSESSED, State.HELD},
    "return": {State.RELEASED},
}


@pytest.mark.parametrize(
    ("state", "event"),
    [(s, e) for s, e in itertools.product(State, EVENTS) if s not in ALLOWED[e]],
)
def test_refused_transitions(state: State, event: str) -> None:
    holds = frozenset({HoldKind.INSPECTION, HoldKind.PAYMENT})
    with pytest.raises(TransitionRefused) as info:
        apply(current(state, "red", due=500, holds=holds), EVENTS[event])
    assert info.value.current is state
    assert info.value.event == event
    assert set(info.value.allowed) == ALLOWED[event]
    assert f"'{event}' is not allowed in state '{state.value}'" in str(info.value)


@pytest.mark.parametrize(("state", "event"), [(s, e) for e in EVENTS for s in sorted(ALLOWED[e])])
def test_allowed_transitions_are_not_refused(state: State, event: str) -> None:
    holds = frozenset({HoldKind.INSPECTION, HoldKind.PAYMENT}) if state is State.HELD else frozenset()
    out = apply(current(state, "red", due=500, holds=holds), EVENTS[event])
    assert out.events and out.events[0][0] in {event, "returned"}


def test_terminal_states_accept_nothing() -> None:
    for state in (State.SEIZED, State.RETURNED):
        for event in EVENTS.values():
            with pytest.raises(TransitionRefused):
                apply(current(state), event)


# --- events on the wire -----------------------------------------------------------------------------


def test_events_parse_by_discriminator() -> None:
    adapter: TypeAdapter[object] = TypeAdapter(ShipmentEvent)
    assert isinstance(adapter.validate_python({"type": "arrival"}), Arrival)
    event = adapter.validate_python({"type": "payment", "amount_minor": 1474, "actor": "bank"})
    assert isinstance(event, Payment) and event.amount_minor == 1474
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "teleport"})
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "arrival", "surprise": 1})
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "inspection_result", "result": "maybe"})


# --- a property over whole histories ----------------------------------------------------------------


@given(
    lane=st.sampled_from(["green", "yellow", "red"]),
    due=st.integers(min_value=0, max_value=5000),
    on_account=st.booleans(),
    steps=st.lists(
        st.one_of(
            st.just(ARRIVAL),
            st.just(COMPLIANT),
            st.just(NON_COMPLIANT),
            st.just(RETURN),
            st.integers(min_value=1, max_value=3000).map(pay),
        ),
        max_size=8,
    ),
)
def test_replaying_events_keeps_the_release_condition(
    lane: str, due: int, on_account: bool, steps: list[object]
) -> None:
    cur = current(State.ASSESSED, lane, due, 0, on_account)
    for event in steps:
        try:
            out = apply(cur, event)  # type: ignore[arg-type]
        except (TransitionRefused, Overpayment):  # refusals change nothing
            continue
        holds = (cur.open_holds | {h.kind for h in out.open}) - out.close
        paid = cur.paid_minor + out.paid_minor
        assert out.events[-1][2] is out.state
        if out.state is State.RELEASED and cur.state is not State.RELEASED:
            # release only with nothing open and nothing owed (unless on account)
            assert not holds
            assert on_account or paid >= due
        if out.state is State.HELD:
            assert holds
        cur = Current(out.state, lane, due, paid, on_account, frozenset(holds))
