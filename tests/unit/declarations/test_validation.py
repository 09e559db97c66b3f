"""Validation beyond shape: one record per finding code, all findings together, JSON pointer paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from clearway.declarations.model import Shipment
from clearway.declarations.validation import lodgement_time, validate
from clearway.kit.errors import (
    Finding,
    Severity,
    as_dicts,
    errors,
    from_pydantic,
    pointer,
    warnings,
)
from tests.sample import RECEIVED_AT, shipment


def fullwidth(digits: str) -> str:
    """'610910' -> the same digits as full-width characters (U+FF10..U+FF19)."""
    return "".join(chr(ord(d) + 0xFEE0) for d in digits)


def check(record: dict[str, Any], received_at: dt.datetime = RECEIVED_AT) -> list[Finding]:
    return validate(Shipment.model_validate(record), received_at)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# --- the valid sample -------------------------------------------------------------------------------


def test_valid_sample_has_no_findings() -> None:
    assert check(shipment()) == []


def test_valid_sample_with_all_optional_parties_and_ioss_has_no_findings() -> None:
    record = shipment()
    party = {"name": "Acme GmbH", "tin": "DE123456789", "address": {"country": "DE"}}
    for role in ("marketplace", "carrier", "consignor", "importer", "declarant"):
        record["parties"][role] = party
    record["fiscal"] = {"collection_model": "vendor", "vendor_registration": "IM2760000001"}
    record["goods"][0]["gross_mass_kg"] = "0.35"
    record["gross_mass_kg"] = "0.5"
    assert check(record) == []


# --- one record per code ----------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Mutator setting a value at a '/'-separated path (list indexes as digits)."""

    def mutate(record: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = record
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


# (code, severity, JSON pointer reported, mutation of the valid sample)
SINGLE_FINDING_CASES: list[tuple[str, Severity, str, Callable[[dict[str, Any]], None]]] = [
    ("hs.unknown", Severity.ERROR, "/goods/1/hs_code", _set("goods/1/hs_code", "999999")),
    ("hs.format", Severity.ERROR, "/goods/0/hs_code", _set("goods/0/hs_code", "6109100")),
    ("country.unknown", Severity.ERROR, "/departure_country", _set("departure_country", "ZZ")),
    ("country.unknown", Severity.ERROR, "/goods/1/origin_country", _set("goods/1/origin_country", "XX")),
    (
        "country.unknown",
        Severity.ERROR,
        "/parties/consignee/address/country",
        _set("parties/consignee/address/country", "QQ"),
    ),
    ("currency.unknown", Severity.ERROR, "/currency", _set("currency", "XAU")),
    # ARS is ISO 4217 but the ECB publishes no reference rate for it.
    ("currency.no_rate", Severity.ERROR, "/currency", _set("currency", "ARS")),
    # RUB was quoted by the ECB until 2022: no rate within 7 days of 2026-11-27.
    ("currency.no_rate", Severity.ERROR, "/currency", _set("currency", "RUB")),
    ("tin.format", Severity.ERROR, "/parties/seller/tin", _set("parties/seller/tin", "CN9144_0300")),
    ("tin.format", Severity.ERROR, "/parties/seller/tin", _set("parties/seller/tin", "CN")),
    ("tin.country_unknown", Severity.ERROR, "/parties/seller/tin", _set("parties/seller/tin", "ZZ12345678")),
    (
        "ioss.format",
        Severity.ERROR,
        "/fiscal/vendor_registration",
        _set("fiscal", {"collection_model": "vendor", "vendor_registration": "IM123456789"}),
    ),
    ("lrn.format", Severity.ERROR, "/lrn", _set("lrn", "T 0001")),
    ("lrn.format", Severity.ERROR, "/lrn", _set("lrn", "-T0001")),
    ("locode.format", Severity.ERROR, "/goods_location", _set("goods_location", "DE1EJ")),
    ("locode.unknown", Severity.ERROR, "/goods_location", _set("goods_location", "DEQQQ")),
    ("office.format", Severity.ERROR, "/office_of_entry", _set("office_of_entry", "DELEJ")),
    ("office.unknown", Severity.ERROR, "/office_of_entry", _set("office_of_entry", "DEQQQ001")),
    ("mass.not_positive", Severity.ERROR, "/goods/0/net_mass_kg", _set("goods/0/net_mass_kg", "0")),
    ("mass.not_positive", Severity.ERROR, "/goods/1/gross_mass_kg", _set("goods/1/gross_mass_kg", "-1")),
    ("mass.not_positive", Severity.ERROR, "/gross_mass_kg", _set("gross_mass_kg", "0")),
    ("mass.gross_below_net", Severity.ERROR, "/goods/0/gross_mass_kg", _set("goods/0/gross_mass_kg", "0.29")),
    # items sum to 40.00; tolerance max(1, 0.5 % of 41.01) = 1 and 41.01 - 40.00 = 1.01 > 1
    ("value.total_mismatch", Severity.ERROR, "/total_value", _set("total_value", "41.01")),
    # 16 minutes after receipt: beyond the 15 minutes of clock skew allowed
    ("date.future", Severity.ERROR, "/lodged_at", _set("lodged_at", "2026-11-27T12:16:00+00:00")),
    # 99 days before receipt; the expected arrival stays within 120 days of lodgement
    ("date.too_old", Severity.ERROR, "/lodged_at", _set("lodged_at", "2026-08-20T10:00:00+00:00")),
    ("date.implausible", Severity.ERROR, "/expected_arrival", _set("expected_arrival", "2027-04-01T00:00Z")),
    ("date.implausible", Severity.ERROR, "/expected_arrival", _set("expected_arrival", "2026-10-27T00:00Z")),
    ("destination.unsupported", Severity.ERROR, "/destination_country", _set("destination_country", "US")),
    ("description.vague", Severity.WARNING, "/goods/1/description", _set("goods/1/description", "Gift")),
    (
        "description.vague",
        Severity.WARNING,
        "/goods/0/description",
        _set("goods/0/description", "2 pcs new accessories"),
    ),
    # The packaged ECB table ends before 2026-11-27: the last rate is used, with a warning.
    ("currency.rate_snapshot", Severity.WARNING, "/currency", _set("currency", "USD")),
]


@pytest.mark.parametrize(
    ("code", "severity", "path", "mutate"),
    SINGLE_FINDING_CASES,
    ids=[f"{c[0]}@{c[2]}" for c in SINGLE_FINDING_CASES],
)
def test_each_code_is_triggered_alone(
    code: str, severity: Severity, path: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    record = shipment()
    mutate(record)
    findings = check(record)
    assert [(f.code, f.path, f.severity) for f in findings] == [(code, path, severity)]
    assert findings[0].message


def test_every_listed_code_has_a_case() -> None:
    listed = {
        "hs.unknown", "country.unknown", "currency.unknown", "currency.no_rate", "tin.format",
        "tin.country_unknown", "ioss.format", "lrn.format", "locode.format", "locode.unknown",
        "office.format", "office.unknown", "mass.not_positive", "mass.gross_below_net",
        "value.total_mismatch", "date.future", "date.too_old", "date.implausible",
        "destination.unsupported", "description.vague", "currency.rate_snapshot",
    }  # fmt: skip
    assert listed <= {case[0] for case in SINGLE_FINDING_CASES}


def test_warnings_do_not_count_as_errors() -> None:
    record = shipment(currency="USD")
    record["goods"][0]["description"] = "goods"
    findings = check(record)
    assert errors(findings) == []
    assert sorted(codes(warnings(findings))) == ["currency.rate_snapshot", "description.vague"]


def test_tin_is_normalised_before_checking() -> None:
    record = shipment()
    record["parties"]["consignee"]["tin"] = "de 123.456-789"
    assert check(record) == []


def test_lowercase_tin_country_is_accepted_after_normalisation() -> None:
    record = shipment()
    record["parties"]["seller"]["tin"] = "cn91440300ma5fxx001"
    assert check(record) == []


def test_tin_with_unknown_country_and_bad_identifier_reports_both() -> None:
    record = shipment()
    record["parties"]["seller"]["tin"] = "ZZ12_34"
    assert codes(check(record)) == ["tin.country_unknown", "tin.format"]


def test_destination_unknown_country_is_not_also_reported_as_unsupported() -> None:
    assert codes(check(shipment(destination_country="ZZ"))) == ["country.unknown"]


def test_date_no_rules_after_the_last_profile_period() -> None:
    received = dt.datetime(2028, 7, 2, 12, 0, tzinfo=dt.UTC)
    record = shipment(lodged_at="2028-07-02T10:00:00+00:00", expected_arrival="2028-07-03T10:00:00+00:00")
    findings = check(record, received)
    assert [(f.code, f.path) for f in findings] == [("date.no_rules", "/lodged_at")]


# --- boundaries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "mismatch"),
    [
        ("40.00", False),
        ("41.00", False),  # |40 - 41| = 1 = minimum tolerance
        ("39.00", False),
        ("38.99", True),
        ("41.01", True),
    ],
)
def test_total_tolerance_minimum_of_one_unit(total: str, mismatch: bool) -> None:
    assert ("value.total_mismatch" in codes(check(shipment(total_value=total)))) is mismatch


def test_total_tolerance_half_percent_for_large_values() -> None:
    # total 2000: tolerance 0.5 % = 10
    record = shipment(total_value="2000.00")
    record["goods"][0]["value"] = "1000.00"
    record["goods"][1]["value"] = "990.00"
    assert "value.total_mismatch" not in codes(check(record))
    record["goods"][1]["value"] = "989.99"
    assert "value.total_mismatch" in codes(check(record))


@given(
    values=st.lists(
        st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=4,
    ),
    total=st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False, allow_infinity=False),
)
@settings(max_examples=60, deadline=None)
def test_total_mismatch_iff_difference_exceeds_tolerance(values: list[Decimal], total: Decimal) -> None:
    record = shipment(total_value=str(total))
    item = record["goods"][0]
    record["goods"] = [{**item, "value": str(v)} for v in values]
    diff = abs(sum(values) - total)
    tolerance = max(Decimal(1), total / 200)
    assert ("value.total_mismatch" in codes(check(record))) is (diff > tolerance)


def test_lodgement_exactly_at_skew_limit_is_not_future() -> None:
    assert check(shipment(lodged_at="2026-11-27T12:15:00+00:00")) == []


def test_lodgement_exactly_90_days_old_is_accepted() -> None:
    record = shipment(lodged_at="2026-08-29T12:00:00+00:00", expected_arrival="2026-09-01T00:00:00Z")
    assert check(record) == []
    record = shipment(lodged_at="2026-08-29T11:59:59+00:00", expected_arrival="2026-09-01T00:00:00Z")
    assert codes(check(record)) == ["date.too_old"]


def test_expected_arrival_window_boundaries() -> None:
    # lodged 2026-11-27T10:00Z: window is [2026-10-28T10:00Z, 2027-03-27T10:00Z]
    assert check(shipment(expected_arrival="2026-10-28T10:00:00Z")) == []
    assert check(shipment(expected_arrival="2027-03-27T10:00:00Z")) == []
    assert codes(check(shipment(expected_arrival="2026-10-28T09:59:59Z"))) == ["date.implausible"]
    assert codes(check(shipment(expected_arrival="2027-03-27T10:00:01Z"))) == ["date.implausible"]


def test_naive_lodgement_time_is_taken_as_utc() -> None:
    s = Shipment.model_validate(shipment(lodged_at="2026-11-27T10:00:00"))
    assert lodgement_time(s, RECEIVED_AT) == dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    assert validate(s, RECEIVED_AT) == []


def test_missing_lodgement_time_is_the_receipt_time() -> None:
    s = Shipment.model_validate(shipment(lodged_at=None))
    assert lodgement_time(s, RECEIVED_AT) == RECEIVED_AT


def test_rate_snapshot_not_warned_for_a_day_inside_the_table() -> None:
    received = dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.UTC)
    record = shipment(
        currency="USD", lodged_at="2026-10-15T10:00:00+00:00", expected_arrival="2026-10-16T10:00:00+00:00"
    )
    assert check(record, received) == []


# --- ASCII digits only --------------------------------------------------------------------------------


def test_ioss_number_with_non_ascii_digits_is_rejected() -> None:
    # Full-width digits are not an IOSS number; `\d` in the pattern also matches them.
    ioss = "IM" + fullwidth("1234567890")
    record = shipment(fiscal={"collection_model": "vendor", "vendor_registration": ioss})
    assert [(f.code, f.path) for f in check(record)] == [("ioss.format", "/fiscal/vendor_registration")]


def test_hs_code_with_non_ascii_digits_is_a_format_error() -> None:
    record = shipment()
    record["goods"][0]["hs_code"] = fullwidth("610910")
    assert [(f.code, f.path) for f in check(record)] == [("hs.format", "/goods/0/hs_code")]


# --- all together -----------------------------------------------------------------------------------


def test_all_errors_of_a_record_are_reported_together() -> None:
    record = shipment(
        lrn="bad lrn",
        departure_country="ZZ",
        currency="XAU",
        goods_location="DE1EJ",
        office_of_entry="DEQQQ001",
        total_value="100.00",
        lodged_at="2026-11-28T10:00:00+00:00",
        fiscal={"vendor_registration": "IM12"},
    )
    record["goods"][0].update(hs_code="999999", net_mass_kg="0", description="stuff")
    record["goods"][1].update(origin_country="QQ", gross_mass_kg="0.05")
    record["parties"]["seller"]["tin"] = "ZZ123"
    findings = check(record)
    assert sorted((f.code, f.path) for f in findings) == sorted(
        [
            ("lrn.format", "/lrn"),
            ("country.unknown", "/departure_country"),
            ("currency.unknown", "/currency"),
            ("hs.unknown", "/goods/0/hs_code"),
            ("mass.not_positive", "/goods/0/net_mass_kg"),
            ("description.vague", "/goods/0/description"),
            ("country.unknown", "/goods/1/origin_country"),
            ("mass.gross_below_net", "/goods/1/gross_mass_kg"),
            ("tin.country_unknown", "/parties/seller/tin"),
            ("locode.format", "/goods_location"),
            ("office.unknown", "/office_of_entry"),
            ("ioss.format", "/fiscal/vendor_registration"),
            ("value.total_mismatch", "/total_value"),
            ("date.future", "/lodged_at"),
        ]
    )
    assert len(errors(findings)) == 13
    assert codes(warnings(findings)) == ["description.vague"]


# --- findings helpers -------------------------------------------------------------------------------


def test_pointer_escapes_tilde_and_slash() -> None:
    assert pointer("goods", 0, "hs_code") == "/goods/0/hs_code"
    assert pointer("a/b", "c~d") == "/a~1b/c~0d"
    assert pointer() == ""


@given(st.lists(st.one_of(st.text(max_size=8), st.integers(min_value=0, max_value=999)), max_size=5))
def test_pointer_round_trips_per_rfc_6901(parts: list[str | int]) -> None:
    p = pointer(*parts)
    assert (p == "") if not parts else p.startswith("/")
    decoded = [t.replace("~1", "/").replace("~0", "~") for t in p.split("/")[1:]]
    assert decoded == [str(x) for x in parts]


def test_schema_errors_become_findings_with_pointers() -> None:
    record = shipment(total_value="abc", transport_mode="ship")
    record["goods"][1]["value"] = "-1"
    record["parties"]["seller"]["surprise"] = "x"
    with pytest.raises(ValidationError) as info:
        Shipment.model_validate(record)
    found = {(f.code, f.path) for f in from_pydantic(info.value)}
    assert found == {
        ("schema.decimal_parsing", "/total_value"),
        ("schema.enum", "/transport_mode"),
        ("schema.greater_than_equal", "/goods/1/value"),
        ("schema.extra_forbidden", "/parties/seller/surprise"),
    }


def test_as_dicts_drops_severity() -> None:
    f = Finding("x.y", "/a", "msg", Severity.WARNING)
    assert as_dicts([f]) == [{"code": "x.y", "path": "/a", "message": "msg"}]
