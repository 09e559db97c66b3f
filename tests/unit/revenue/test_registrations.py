"""Vendor registrations: number formats per scheme, the registry, misuse findings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from clearway.revenue import registrations as reg
from clearway.revenue.errors import RegistrationError
from clearway.revenue.registrations import Registration, RegistrationUse

DAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("number", "scheme"),
    [
        ("IM2760000001", "IOSS"),  # 276 = Germany
        ("im 528 1234567", "IOSS"),  # spaces and case do not matter; 528 = Netherlands
        ("GB123456789", "UKVAT"),
        ("123456789012", "AUGST"),
        ("VOEC2024209", "VOEC"),
    ],
)
def test_numbers_are_recognised_by_scheme(number: str, scheme: str) -> None:
    found = reg.scheme_of(number)
    assert found is not None and found.id == scheme


@pytest.mark.parametrize(
    "number",
    [
        "IM8400000001",  # 840 is the United States, not a member state
        "IM27600000011",  # 11 digits
        "IM276000000",  # 9 digits
        "GB12345678",  # UK: 9 digits needed
        "12345678901",  # 11 digits: neither ARN nor IOSS
        "VOEC123",
        "",
    ],
)
def test_malformed_numbers_match_no_scheme(number: str) -> None:
    assert reg.scheme_of(number) is None


def _registered(**changes: object) -> Registration:
    base = {
        "number": "IM2760000001",
        "scheme": "IOSS",
        "holder": "Shop GmbH",
        "valid_from": dt.date(2021, 7, 1),
    }
    return reg.parse_registration({**base, **changes})


def _use(
    number: str = "IM2760000001",
    value: str = "40.00",
    currency: str = "EUR",
    on: dt.date = DAY,
    jurisdiction: str | None = "EU",
) -> RegistrationUse:
    return RegistrationUse("S1", number, Decimal(value), currency, on, jurisdiction)


def _codes(use: RegistrationUse, registered: Registration | None) -> list[str]:
    return [f.code for f in reg.misuse(use, registered)]


def test_a_valid_registration_within_the_limit_has_no_finding() -> None:
    assert _codes(_use(), _registered()) == []
    assert _codes(_use(value="150.00"), _registered()) == []  # exactly at the limit is covered


def test_value_above_the_scheme_limit_is_flagged() -> None:
    (finding,) = reg.misuse(_use(value="150.01"), _registered())
    assert finding.code == "registration.above_limit"
    assert "150.01 EUR is above the IOSS limit of 150 EUR" in finding.detail


def test_limit_is_compared_in_the_scheme_currency() -> None:
    # 150 EUR in USD at the day's ECB rate, give or take 0.50 USD: below is covered, above is not.
    from clearway.reference.rates import units_per_eur

    usd = units_per_eur("USD", DAY)
    below = (Decimal(150) * usd).quantize(Decimal("0.01")) - Decimal("0.50")
    above = (Decimal(150) * usd).quantize(Decimal("0.01")) + Decimal("0.50")
    assert _codes(_use(value=str(below), currency="USD"), _registered()) == []
    assert _codes(_use(value=str(above), currency="USD"), _registered()) == ["registration.above_limit"]


def test_unknown_revoked_and_expired_numbers_are_flagged() -> None:
    assert _codes(_use(), None) == ["registration.unknown"]
    revoked = _registered(revoked_at="2026-11-01T00:00:00+00:00")
    assert _codes(_use(), revoked) == ["registration.revoked"]
    # used before it was revoked: fine
    assert _codes(_use(on=dt.date(2026, 10, 31)), revoked) == []
    expired = _registered(valid_to="2026-06-30")
    assert _codes(_use(), expired) == ["registration.not_valid_on_date"]
    assert _codes(_use(on=dt.date(2021, 6, 30)), _registered()) == ["registration.not_valid_on_date"]


def test_malformed_or_foreign_numbers() -> None:
    assert _codes(_use(number="IM12"), None) == ["registration.format"]
    # an IOSS number used for an import into the UK (EUR 100 is within the IOSS limit)
    uk = RegistrationUse("S2", "IM2760000001", Decimal(100), "EUR", DAY, "UK")
    assert _codes(uk, _registered()) == ["registration.wrong_jurisdiction"]


def test_parse_registration_names_the_field() -> None:
    with pytest.raises(RegistrationError) as exc:
        _registered(scheme="UKVAT")
    assert exc.value.field == "scheme"
    with pytest.raises(RegistrationError) as exc:
        _registered(valid_from="2021-13-01")
    assert exc.value.field == "valid_from"
    with pytest.raises(RegistrationError) as exc:
        _registered(valid_to="2020-01-01")
    assert exc.value.field == "valid_to"
    with pytest.raises(RegistrationError) as exc:
        _registered(number="XX1")
    assert exc.value.field == "number"


CSV = """number,scheme,holder,valid_from,valid_to,revoked_at
IM2760000001,IOSS,Shop GmbH,2021-07-01,,
IM5280000002,IOSS,Winkel BV,2021-07-01,,2026-11-01T00:00:00+00:00
GB123456789,UKVAT,UK Seller Ltd,2021-01-01,,
"""


def test_csv_errors_name_line_and_field_and_import_nothing() -> None:
    bad = CSV + "IM2760000003,IOSS,Bad Dates,2021-07-01,2020-01-01,\n"
    with pytest.raises(RegistrationError) as exc:
        reg.parse_csv(bad)
    assert (exc.value.line, exc.value.field) == (5, "valid_to")
    with pytest.raises(RegistrationError, match="appears twice"):
        reg.parse_csv(CSV + "IM2760000001,IOSS,Again,2021-07-01,,\n")


def test_registry_import_and_batch_check(engine: Engine) -> None:
    with engine.begin() as conn:
        assert reg.upsert(conn, reg.parse_csv(CSV)) == 3
    uses = [
        RegistrationUse("ok", "IM2760000001", Decimal("40"), "EUR", DAY, "EU"),
        RegistrationUse("revoked", "IM5280000002", Decimal("40"), "EUR", DAY, "EU"),
        RegistrationUse("unknown", "IM2769999999", Decimal("40"), "EUR", DAY, "EU"),
        RegistrationUse("above", "GB123456789", Decimal("135.01"), "GBP", DAY, "UK"),
    ]
    with engine.connect() as conn:
        findings = reg.check_registrations(conn, uses)
    assert [(f.key, f.code) for f in findings] == [
        ("revoked", "registration.revoked"),
        ("unknown", "registration.unknown"),
        ("above", "registration.above_limit"),
    ]
    # importing the same number again replaces it: the revocation is lifted
    with engine.begin() as conn:
        reg.upsert(conn, reg.parse_csv("number,holder,valid_from\nIM5280000002,Winkel BV,2021-07-01\n"))
        assert reg.lookup(conn, ["IM5280000002"])["IM5280000002"].revoked_at is None
        revoked = reg.revoke(conn, "im5280000002", dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
    assert revoked.revoked_at == dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    with engine.connect() as conn:
        assert [f.code for f in reg.check_registrations(conn, uses[1:2])] == ["registration.revoked"]
