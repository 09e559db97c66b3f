"""Clearance domain, pure: multi-hold transitions, TIN, AEO exchange and recognition, offices,
agency subscriptions, pre-loading screening."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from clearway.clearance import aeo
from clearway.clearance.agencies import matches, subscription
from clearway.clearance.errors import (
    ExchangeError,
    InvalidOffice,
    InvalidSubscription,
    InvalidTin,
    TransitionRefused,
)
from clearway.clearance.lifecycle import (
    Arrival,
    Current,
    InspectionResult,
    LiftHold,
    OpenHold,
    Payment,
    PlaceHold,
    Refusal,
    Return,
    apply,
)
from clearway.clearance.offices import check_reference, office
from clearway.clearance.parties import parse_tin
from clearway.clearance.preloading import PreloadingRequest, screen
from clearway.declarations.vocabulary import HoldKind, State
from clearway.risk.watchlist import FuzzyWatchlist, WatchEntry


def held(*holds: OpenHold, due: int = 0, paid: int = 0, state: State = State.HELD) -> Current:
    return Current(state, "red", due, paid, False, frozenset(h.kind for h in holds), holds)


INSPECT = OpenHold(1, HoldKind.INSPECTION)
HEALTH = OpenHold(2, HoldKind.AGENCY, "HEALTH")
PLANTS = OpenHold(3, HoldKind.AGENCY, "PLANTS")
PAY = OpenHold(4, HoldKind.PAYMENT)
NII = OpenHold(5, HoldKind.NII)


def lift(hold_id: int) -> LiftHold:
    return LiftHold(type="lift_hold", hold_id=hold_id, reason="checked")


# --- several holds at once ----------------------------------------------------------------------------


def test_release_waits_for_every_hold_and_for_payment() -> None:
    out = apply(
        held(INSPECT, HEALTH, PLANTS, PAY, due=500),
        InspectionResult(type="inspection_result", result="compliant"),
    )
    assert out.state is State.HELD and out.close == {HoldKind.DOCUMENTS, HoldKind.NII, HoldKind.INSPECTION}
    out = apply(held(HEALTH, PLANTS, PAY, due=500), lift(2))
    assert out.state is State.HELD and out.close_ids == {2}
    out = apply(held(PLANTS, PAY, due=500), Payment(type="payment", amount_minor=500))
    assert out.state is State.HELD and out.close == {HoldKind.PAYMENT}  # PLANTS still holds it
    out = apply(held(PLANTS, due=500, paid=500), lift(3))
    assert out.state is State.RELEASED
    assert [e[0] for e in out.events] == ["hold_lifted", "released"] and out.events[1][1] == "277"


def test_one_agency_lifting_leaves_the_other_agency_hold_in_force() -> None:
    out = apply(held(HEALTH, PLANTS), lift(3))
    assert out.state is State.HELD and out.close_ids == {3}


def test_lifting_the_last_hold_with_duties_unpaid_keeps_it_held() -> None:
    # No payment hold is open (e.g. lost), but the release condition still checks what is owed.
    out = apply(held(HEALTH, due=1474, paid=1000), lift(2))
    assert out.state is State.HELD


def test_a_payment_hold_cannot_be_lifted_by_hand() -> None:
    with pytest.raises(TransitionRefused, match="closes on payment"):
        apply(held(PAY, due=500), lift(4))


def test_lifting_a_hold_that_is_not_open_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="hold 99 is not open"):
        apply(held(HEALTH), lift(99))


def test_holds_placed_before_arrival_hold_the_shipment_on_arrival() -> None:
    pre = Current(State.ASSESSED, "green", 0, 0, False, frozenset(), ())
    placed = apply(
        pre, PlaceHold(type="hold", kind="agency", agency="HEALTH", reason_code="SPS-1", text="Vet check")
    )
    assert placed.state is State.ASSESSED and placed.open[0].agency == "HEALTH"
    arrived = apply(
        Current(State.ASSESSED, "green", 0, 0, False, frozenset({HoldKind.AGENCY}), (HEALTH,)),
        Arrival(type="arrival"),
    )
    assert arrived.state is State.HELD and arrived.open == ()  # nothing new: the agency hold is there


def test_yellow_lane_with_a_documents_hold_already_open_gets_no_second_one() -> None:
    docs = OpenHold(7, HoldKind.DOCUMENTS)
    cur = Current(State.ASSESSED, "yellow", 0, 0, False, frozenset({HoldKind.DOCUMENTS}), (docs,))
    assert apply(cur, Arrival(type="arrival")).open == ()


def test_nii_alert_escalates_to_physical_inspection() -> None:
    event = InspectionResult(type="inspection_result", control="nii", result="non_compliant")
    out = apply(held(NII), event)
    assert out.state is State.HELD
    assert [(h.kind, h.reason_code) for h in out.open] == [(HoldKind.INSPECTION, "NII-ALERT")]
    assert out.close == {HoldKind.NII}


def test_a_document_check_answers_only_the_documents_hold() -> None:
    event = InspectionResult(type="inspection_result", control="documents", result="compliant")
    with pytest.raises(TransitionRefused):
        apply(held(INSPECT), event)


def test_findings_are_structured_labels() -> None:
    event = InspectionResult(
        type="inspection_result",
        result="non_compliant",
        finding="undervaluation",
        undervaluation_minor=12_000,
    )
    out = apply(held(INSPECT), event)
    assert out.state is State.SEIZED
    assert out.data == {
        "control": "physical",
        "result": "non_compliant",
        "finding": "undervaluation",
        "undervaluation_minor": "12000",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"result": "non_compliant"}, "finding"),
        ({"result": "non_compliant", "finding": "undervaluation"}, "undervaluation_minor"),
        ({"result": "non_compliant", "finding": "misclassification"}, "correct_hs_code"),
        ({"result": "compliant", "finding": "other"}, "finding"),
    ],
)
def test_inconsistent_results_name_the_field(body: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        InspectionResult.model_validate({"type": "inspection_result", **body})


def test_agency_hold_needs_its_agency() -> None:
    with pytest.raises(ValidationError, match="agency"):
        PlaceHold(type="hold", kind="agency", reason_code="X1", text="t")


def test_return_refunds_what_was_paid() -> None:
    out = apply(Current(State.RELEASED, "green", 1474, 1474, False, frozenset()), Return(type="return"))
    assert out.state is State.RETURNED and out.refund_minor == 1474
    assert [e[0] for e in out.events] == ["returned", "refund"]


def test_refusal_closes_every_hold() -> None:
    out = apply(held(INSPECT, PAY, due=5), Refusal(type="refuse", reason="prohibited"))
    assert out.state is State.REFUSED and out.close == {HoldKind.INSPECTION, HoldKind.PAYMENT}


# --- TIN ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "expected", "scheme"),
    [
        ("de 136.695-976", None, "DE136695976", "eu_vat"),  # stdnum's valid German VAT number
        ("136695976", "DE", "DE136695976", "eu_vat"),
        ("EL094259216", None, "GR094259216", "eu_vat"),  # Greece: VAT prefix EL, ISO country GR
        ("DE12345678901234", None, "DE12345678901234", "eori"),  # not VAT-shaped: an EORI
        ("cn91440300ma5fxx001", None, "CN91440300MA5FXX001", "national"),
    ],
)
def test_tin_normalised(raw: str, country: str | None, expected: str, scheme: str) -> None:
    tin = parse_tin(raw, country)
    assert (tin.value, tin.scheme) == (expected, scheme)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("DE136695977", "tin.check_digits"),  # last digit changed
        ("FR40303265046", "tin.check_digits"),
        ("QQ123", "tin.country"),
        ("DE1234567890123456", "tin.format"),  # EORI longer than 15
        ("US" + "1" * 36, "tin.format"),  # identifier over an..35
        ("DE", "tin.format"),
    ],
)
def test_bad_tins_are_refused_with_a_code(raw: str, code: str) -> None:
    with pytest.raises(InvalidTin) as info:
        parse_tin(raw)
    assert info.value.errors[0].code == code


# --- AEO ------------------------------------------------------------------------------------------------

AUTHS = [
    aeo.Authorisation(
        "DE136695976", "Muster GmbH", "AEOF", "active", "DE", "DEAEOF0001", dt.date(2024, 1, 1)
    ),
    aeo.Authorisation(
        "CN91440300MA5FXX001",
        "Shenzhen Co",
        "AEOS",
        "active",
        "CN",
        "CN-AEO-77",
        dt.date(2023, 5, 1),
        dt.date(2027, 4, 30),
    ),
]


def test_aeo_csv_and_json_round_trip() -> None:
    assert aeo.read_csv(aeo.write_csv(AUTHS)) == AUTHS
    assert aeo.read_json(aeo.write_json(AUTHS, "DE", dt.date(2026, 11, 28))) == AUTHS
    assert (
        aeo.write_csv(AUTHS).splitlines()[0]
        == "tin,holder,type,status,issuing_country,reference,valid_from,valid_to"
    )


def test_aeo_import_reports_every_error_by_row_and_field() -> None:
    text = (
        "tin,holder,type,status,issuing_country,reference,valid_from,valid_to\n"
        "DE136695976,Muster GmbH,AEOF,active,DE,R1,2024-01-01,\n"
        "DE136695977,X,AEOZ,active,DE,R2,2024-13-01,\n"
    )
    with pytest.raises(ExchangeError) as info:
        aeo.read_csv(text)
    assert [(e.line, e.column) for e in info.value.errors] == [(3, "tin"), (3, "type"), (3, "valid_from")]


def test_recognition_needs_an_active_valid_home_or_partner_authorisation() -> None:
    home, foreign = AUTHS
    day = dt.date(2026, 11, 28)
    assert aeo.recognised(home, day, partners=set())
    assert not aeo.recognised(foreign, day, partners=set())  # no mutual recognition with CN
    assert aeo.recognised(foreign, day, partners={"CN"})
    assert not aeo.recognised(foreign, dt.date(2027, 5, 1), partners={"CN"})  # expired
    suspended = dataclasses.replace(home, status="suspended")
    assert not aeo.recognised(suspended, day, partners=set())
    assert aeo.benefit_score(0.8, True, 0.5) == 0.4 and aeo.benefit_score(0.8, False, 0.5) == 0.8


# --- offices --------------------------------------------------------------------------------------------


def test_office_code_default_suffix_and_checks() -> None:
    assert office("BEBRU", "Brussels", ["declaration"]).code == "BEBRU000"
    with pytest.raises(InvalidOffice, match="code"):
        office("BEQQQ000", "Nowhere", ["entry"])  # not a UN/LOCODE
    with pytest.raises(InvalidOffice, match="roles"):
        office("BEBRU000", "Brussels", ["import"])


def test_office_references_checked_for_existence_validity_and_role() -> None:
    known = {
        "DELEJ004": office("DELEJ004", "Leipzig airport", ["entry", "exit"]),
        "DEFRA001": office("DEFRA001", "Frankfurt", ["declaration"], valid_to=dt.date(2025, 12, 31)),
        "DEMUC001": office("DEMUC001", "Munich", ["declaration", "payment"]),
    }
    day = dt.date(2026, 11, 28)
    assert check_reference(known, "DELEJ004", day, "entry") is None
    assert (
        check_reference(known, "DEBER004", day, "entry")
        == "office DEBER004 is not in the customs office master data"
    )
    assert (
        check_reference(known, "DEFRA001", day, "declaration") == "office DEFRA001 is not valid on 2026-11-28"
    )
    assert check_reference(known, "DEMUC001", day, "entry") == (
        "office DEMUC001 has no 'entry' role (it has: declaration, payment)"
    )


# --- agency subscriptions -------------------------------------------------------------------------------


def test_subscription_matches_hs_range_and_origin_on_the_same_item() -> None:
    meat = subscription("VET", hs="0201-0210", origin="BR")
    assert (meat.hs_from, meat.hs_to) == ("020100", "021099")
    assert matches(meat, [("020230", "BR")], tins=set())
    assert not matches(meat, [("020230", "AR"), ("610910", "BR")], tins=set())  # criteria on one item
    assert not matches(meat, [("021100", "BR")], tins=set())


def test_subscription_by_party() -> None:
    sub = subscription("POLICE", party_tin="de 136 695 976")
    assert matches(sub, [("610910", "CN")], tins={"DE136695976"})
    assert not matches(sub, [("610910", "CN")], tins={"DE999"})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"hs": "02x"}, "hs"), ({"hs": "0210-0201"}, "hs"), ({"origin": "Brazil"}, "origin"), ({}, "hs")],
)
def test_bad_subscriptions_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidSubscription) as info:
        subscription("VET", **kwargs)
    assert info.value.field == field


# --- pre-loading ----------------------------------------------------------------------------------------


def request(description: str, consignor: str = "Shenzhen Trading Co") -> PreloadingRequest:
    address = {"line": "1 Road", "city": "Shenzhen", "country": "CN"}
    return PreloadingRequest.model_validate(
        {
            "filer": "DHLEXPRESS",
            "house_waybill": "1234567890",
            "master_waybill": "176-12345675",
            "consignor": {"name": consignor, "address": address},
            "consignee": {"name": "Erika Muster", "address": {**address, "city": "Leipzig", "country": "DE"}},
            "pieces": 2,
            "gross_mass_kg": 1.5,
            "description": description,
        }
    )


@pytest.mark.parametrize(
    ("description", "consignor", "answer", "codes"),
    [
        ("cotton t-shirts", "Shenzhen Trading Co", "assessment_complete", []),
        ("gift", "Shenzhen Trading Co", "request_for_information", ["PLACI-VAGUE"]),
        ("printer toner cartridges", "Shenzhen Trading Co", "referral_for_screening", ["PLACI-CARGO"]),
        ("cotton t-shirts", "Bad Actor Ltd", "referral_for_screening", ["PLACI-WATCH"]),
        # Fuzzy, as the risk rule R-WATCHLIST matches: a misspelt name still matches.
        ("cotton t-shirts", "Bad Actorr Ltd", "referral_for_screening", ["PLACI-WATCH"]),
        ("cotton t-shirts", "Good Actor Ltd", "assessment_complete", []),
        ("detonator with timer", "Shenzhen Trading Co", "do_not_load", ["PLACI-DNL", "PLACI-CARGO"]),
    ],
)
def test_preloading_answers(description: str, consignor: str, answer: str, codes: list[str]) -> None:
    watch = FuzzyWatchlist([WatchEntry(name="Bad Actor")])
    result = screen(request(description, consignor), watch)
    assert result.answer == answer
    assert [r["code"] for r in result.reasons] == codes


def test_preloading_matches_a_watch_listed_address_and_says_what_matched() -> None:
    req = request("cotton t-shirts").model_copy(deep=True)
    watch = FuzzyWatchlist([WatchEntry(address="1 Road, DE")])  # the consignee's street in Leipzig
    result = screen(req, watch)
    assert result.answer == "referral_for_screening"
    assert [r["code"] for r in result.reasons] == ["PLACI-WATCH"]
    assert result.reasons[0]["text"].startswith("consignee is on the watch list: address")
