"""The revenue engine for one jurisdiction and date: rates, tariff, conversion, and the public estimate.

`assess` (calculation.py) does the arithmetic for a consignment already in the jurisdiction currency;
this module picks what it needs for a destination and a date — the profile period, the tax rate
(the member state's VAT for the EU, the national rate elsewhere, or the profile's own), the tariff
schedule (or the profile's stated default rate) — converts money at the ECB reference rate of the
date (cross rates through EUR) and explains the result. Bad input raises `EstimateError` naming
the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from clearway.reference import (
    RateNotFound,
    eu_standard_vat_rate,
    hs_is_valid,
    hs_subheading,
    is_country,
    is_currency,
    minor_units,
    prohibited_status,
)
from clearway.reference._load import read_rows
from clearway.reference.jurisdictions import (
    Jurisdiction,
    NoProfileForDate,
    Period,
    UnknownDestination,
    profile_for,
)
from clearway.reference.money import ROUNDING_RULE, format_minor
from clearway.reference.rates import convert, rate_date, units_per_eur
from clearway.revenue.calculation import (
    Collection,
    Consignment,
    Item,
    RevenueAssessment,
    RevenueSettings,
    TariffLookup,
    TaxLine,
    TaxType,
)
from clearway.revenue.calculation import assess as assess_consignment
from clearway.revenue.tariffs import DutyRate, schedule

# Larger amounts are rejected as absurd for a parcel (and keep integer minor units far from overflow).
MAX_AMOUNT = Decimal("100000000")
CHANNELS = ("courier", "post")
DUTY_TYPES = frozenset({TaxType.DUTY, TaxType.FLAT_DUTY})


class EstimateError(ValueError):
    """Bad input for an estimate: `field` names the parameter, `message` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoTaxRate(LookupError):
    """The profile's tax rate source has no rate for the destination on the date."""


@cache
def _national_rates() -> dict[str, Decimal]:
    return {c: Decimal(p) / 100 for c, _type, _cur, p in read_rows("national_tax.csv.gz")}


def national_tax_rate(country: str) -> Decimal | None:
    """Standard VAT/GST rate outside the EU (vat-rates/sales-tax-rates-world.csv), e.g. GB -> 0.2."""
    return _national_rates().get(country)


def tax_rate_for(period: Period, country: str, on: dt.date) -> Decimal:
    """The period's VAT/GST rate for the destination country (0 where the period has no tax)."""
    source = period.tax_rate_source
    if source == "none":
        return Decimal(0)
    if source == "profile":
        assert period.tax_rate is not None  # checked by the profile loader
        return period.tax_rate
    found = eu_standard_vat_rate(country, on) if source == "eu_member_state" else national_tax_rate(country)
    if found is None:
        raise NoTaxRate(f"no {period.tax_name} rate for {country} on {on.isoformat()} ({source} table)")
    return found


@cache
def tariff_for(j: Jurisdiction) -> TariffLookup:
    """The jurisdiction's tariff schedule; without one, its stated default rate for every code."""
    if j.tariff is not None:
        return schedule(j.tariff)
    rate = j.default_duty_rate if j.default_duty_rate is not None else Decimal(0)

    def default(code: str) -> DutyRate:
        text = f"{(rate * 100).normalize():f}%"
        return DutyRate(code, "", rate, (), text, j.default_duty_basis, False, True, "profile default rate")

    return default


def settings_for(j: Jurisdiction) -> RevenueSettings:
    if j.default_duty_rate is not None:
        return RevenueSettings(fallback_duty_rate=j.default_duty_rate)
    return RevenueSettings()


def assess_for(c: Consignment, j: Jurisdiction, on: dt.date) -> RevenueAssessment:
    """`assess` with the period, tax rate, tariff and fallback of jurisdiction `j` on `on`."""
    period = j.period(on)
    rate = tax_rate_for(period, c.destination_country, on)
    return assess_consignment(c, period, j.currency, rate, tariff_for(j), settings_for(j))


# --- the public estimate -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EstimateRequest:
    destination: str
    on: dt.date
    origin: str
    value: Decimal
    currency: str
    hs: str
    shipping: Decimal = Decimal(0)
    vendor_registration: str | None = None
    gift: bool = False
    channel: str = "courier"
    quantity: Decimal = Decimal(1)
    net_mass_kg: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Estimate:
    jurisdiction: str
    destination: str
    currency: str
    duty: str
    taxes: dict[str, str]
    fees: dict[str, str]
    total: str
    due_at_border: str
    collection_model: str
    de_minimis_applied: bool
    customs_value: str
    exchange_rate: dict[str, str] | None
    tariff: dict[str, str] | None
    restriction: dict[str, str] | None
    lines: list[dict[str, object]]
    explanations: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "jurisdiction": self.jurisdiction,
            "destination": self.destination,
            "currency": self.currency,
            "duty": self.duty,
            "taxes": self.taxes,
            "fees": self.fees,
            "total": self.total,
            "due_at_border": self.due_at_border,
            "collection_model": self.collection_model,
            "de_minimis_applied": self.de_minimis_applied,
            "customs_value": self.customs_value,
            "exchange_rate": self.exchange_rate,
            "tariff": self.tariff,
            "restriction": self.restriction,
            "lines": self.lines,
            "explanations": self.explanations,
        }


def parse_amount(text: str | Decimal, name: str) -> Decimal:
    try:
        amount = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except InvalidOperation:
        raise EstimateError(name, f"{text!r} is not a number") from None
    if not amount.is_finite():
        raise EstimateError(name, f"{text!r} is not a finite number")
    if amount < 0:
        raise EstimateError(name, f"must not be negative (got {amount})")
    if amount > MAX_AMOUNT:
        raise EstimateError(name, f"{amount} is absurd for a parcel (at most {MAX_AMOUNT:,})")
    return amount


def parse_date(text: str, name: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EstimateError(name, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _country(code: str, name: str) -> str:
    code = code.strip().upper()
    if not is_country(code):
        raise EstimateError(name, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _round(amount: Decimal, currency: str) -> Decimal:
    units = minor_units(currency)
    return amount.quantize(Decimal(1).scaleb(-(2 if units is None else units)), rounding=ROUND_HALF_UP)


def _checked(req: EstimateRequest) -> tuple[EstimateRequest, Jurisdiction, Period]:
    destination = _country(req.destination, "destination")
    origin = _country(req.origin, "origin")
    try:
        j = profile_for(destination)
    except UnknownDestination as exc:
        raise EstimateError("destination", str(exc)) from None
    try:
        period = j.period(req.on)
    except NoProfileForDate as exc:
        raise EstimateError("date", str(exc)) from None
    currency = req.currency.strip().upper()
    if not is_currency(currency):
        raise EstimateError("currency", f"{currency!r} is not an active ISO 4217 currency")
    hs = req.hs.strip().replace(".", "").replace(" ", "")
    if not (hs.isascii() and hs.isdigit() and len(hs) in (6, 8, 10)):
        raise EstimateError("hs", f"{req.hs!r} is not an HS code (6, 8 or 10 digits)")
    if not hs_is_valid(hs):
        raise EstimateError("hs", f"{hs[:6]} is not an HS 2022 subheading")
    if req.channel not in CHANNELS:
        raise EstimateError("channel", f"{req.channel!r}: expected one of {', '.join(CHANNELS)}")
    value = parse_amount(req.value, "value")
    shipping = parse_amount(req.shipping, "shipping")
    quantity = parse_amount(req.quantity, "quantity")
    mass = parse_amount(req.net_mass_kg, "net_mass_kg")
    clean = EstimateRequest(
        destination,
        req.on,
        origin,
        value,
        currency,
        hs,
        shipping,
        req.vendor_registration or None,
        req.gift,
        req.channel,
        quantity,
        mass,
    )
    return clean, j, period


def _to_local(amount: Decimal, req: EstimateRequest, j: Jurisdiction) -> Decimal:
    try:
        return _round(convert(amount, req.currency, j.currency, req.on), j.currency)
    except RateNotFound as exc:
        # Every profile currency has an ECB series, so a missing rate is the input currency's.
        raise EstimateError("currency", str(exc)) from None


def _collection_model(a: RevenueAssessment, cbec: bool) -> str:
    collected = [x for x in a.lines if x.collection is not Collection.RELIEVED and x.amount_minor]
    if cbec and collected:
        return "intermediary"  # withheld by the e-commerce platform or logistics company (China)
    if any(x.collection is Collection.CHECKOUT for x in collected):
        return "vendor"
    if collected:
        return "buyer"
    return "none"


def _line_json(x: TaxLine, currency: str) -> dict[str, object]:
    return {
        "item": x.item_seq,
        "type": x.tax_type.value,
        "base": format_minor(x.base_minor, currency),
        "rate": f"{x.rate.normalize():f}",
        "amount": format_minor(x.amount_minor, currency),
        "collection": x.collection.value,
        "legal_basis": x.legal_basis,
        "note": x.note,
    }


def estimate(request: EstimateRequest) -> Estimate:
    """What a parcel will cost in duty and taxes at its destination on a date, explained."""
    req, j, period = _checked(request)
    currency = j.currency
    value = _to_local(req.value, req, j)
    shipping = _to_local(req.shipping, req, j)
    explanations = [
        f"{req.destination} is covered by the {j.name} profile ({j.id}), rules in force"
        f" {period.valid_from} to {period.valid_to}"
    ]
    exchange: dict[str, str] | None = None
    if req.currency != currency:
        used = rate_date(req.on)
        from_rate, to_rate = units_per_eur(req.currency, req.on), units_per_eur(currency, req.on)
        exchange = {
            "from": req.currency,
            "to": currency,
            "date": used.isoformat(),
            "rate": f"{(to_rate / from_rate).quantize(Decimal('0.000001')).normalize():f}",
            "source": "ECB euro reference rates, cross rate via EUR",
        }
        explanations.append(
            f"{req.value} {req.currency} = {value} {currency} at the ECB reference rates of {used}"
            f" ({from_rate} {req.currency} and {to_rate} {currency} per EUR),"
            " rounded half-up to the minor unit"
        )
        if used < req.on:
            explanations.append(f"no ECB rate loaded for {req.on}: the last published rate ({used}) was used")
    try:
        tax_rate = tax_rate_for(period, req.destination, req.on)
    except NoTaxRate as exc:
        raise EstimateError("destination", str(exc)) from None
    c = Consignment(
        destination_country=req.destination,
        intrinsic_value=value,
        transport_and_insurance=shipping,
        items=[Item(1, req.hs, value, req.net_mass_kg, req.quantity)],
        gift=req.gift,
        documents_only=False,
        vendor_registration=req.vendor_registration,
        shipped_from=req.origin,
        channel=req.channel,
    )
    tariff = tariff_for(j)
    a = assess_consignment(c, period, currency, tax_rate, tariff, settings_for(j))

    duty = sum(
        x.amount_minor
        for x in a.lines
        if x.tax_type in DUTY_TYPES and x.collection is not Collection.RELIEVED
    )
    taxes: dict[str, int] = {}
    for x in a.lines:
        if x.tax_type not in DUTY_TYPES:
            taxes[x.tax_type.value] = taxes.get(x.tax_type.value, 0) + (
                0 if x.collection is Collection.RELIEVED else x.amount_minor
            )
    fees: dict[str, int] = {}
    total = duty + sum(taxes.values()) + sum(fees.values())
    relieved = {x.tax_type for x in a.lines if x.collection is Collection.RELIEVED}
    gift_relief = req.gift and value <= period.gift_relief
    duty_dm, tax_dm, _basis = period.thresholds_for(req.channel, req.origin)
    de_minimis = not gift_relief and bool(relieved) and (value <= duty_dm or value <= tax_dm)

    explanations += _explain(a, period, req, value, duty_dm, tax_dm, j)
    rate = tariff(req.hs)
    tariff_json: dict[str, str] | None = None
    if rate is not None:
        tariff_json = {
            "code_matched": rate.code_matched,
            "rate": rate.rate_text,
            "source": rate.source,
            "note": rate.note,
        }
    restriction = prohibited_status(req.hs)
    restriction_json = None
    if restriction is not None:
        restriction_json = {
            "status": restriction.status,
            "hs_prefix": restriction.hs_prefix,
            "reason": restriction.reason,
        }
        explanations.append(
            f"{restriction.status.upper()}: {restriction.reason} (HS {restriction.hs_prefix})"
        )
    explanations.append(f"rounding: {ROUNDING_RULE}")
    return Estimate(
        jurisdiction=j.id,
        destination=req.destination,
        currency=currency,
        duty=format_minor(duty, currency),
        taxes={k: format_minor(v, currency) for k, v in taxes.items()},
        fees={k: format_minor(v, currency) for k, v in fees.items()},
        total=format_minor(total, currency),
        due_at_border=format_minor(a.due_at_border_minor, currency),
        collection_model=_collection_model(
            a, period.transaction_limit is not None and value <= period.transaction_limit
        ),
        de_minimis_applied=de_minimis,
        customs_value=str(value + shipping if period.valuation_basis == "CIF" else value),
        exchange_rate=exchange,
        tariff=tariff_json,
        restriction=restriction_json,
        lines=[_line_json(x, currency) for x in a.lines],
        explanations=explanations,
    )


def _explain(
    a: RevenueAssessment,
    period: Period,
    req: EstimateRequest,
    value: Decimal,
    duty_dm: Decimal,
    tax_dm: Decimal,
    j: Jurisdiction,
) -> list[str]:
    cur = j.currency
    out = [
        f"valuation {period.valuation_basis}: "
        + (
            "transport and insurance are part of the customs value"
            if period.valuation_basis == "CIF"
            else "transport and insurance are not part of the customs value"
        ),
        f"de minimis ({period.de_minimis_basis.replace('_', ' ')}): duty up to {duty_dm} {cur},"
        f" tax up to {tax_dm} {cur}; this parcel's intrinsic value is {value} {cur}",
    ]
    if period.de_minimis_basis == "person_day":
        out.append("the threshold counts all of the same person's imports on the same day")
    if period.transaction_limit is not None:
        out.append(
            f"cross-border e-commerce limits: {period.transaction_limit} {cur} per transaction,"
            f" {period.annual_limit} {cur} per person per year"
        )
    for x in a.lines:
        label = x.tax_type.value.replace("_", " ")
        amount = format_minor(x.amount_minor, cur)
        out.append(
            f"{label}: {amount} {cur} ({x.collection.value}) - {x.legal_basis}"
            + (f"; {x.note}" if x.note else "")
        )
    if period.tax_type == "none":
        out.append(f"{j.name}: no import VAT/GST; state or provincial sales taxes are not included")
    out.extend(period.notes)
    if j.tariff is None:
        out.append(f"duty rate: {j.default_duty_basis}")
    out.append("fees: none modelled (carrier handling or clearance fees are not included)")
    if req.net_mass_kg == 0:
        out.append("no net mass given: specific duties per kg, if any, are not applied")
    return out


def describe_hs(code: str) -> str | None:
    entry = hs_subheading(code)
    return entry.description if entry else None


def restrictions(code: str) -> Mapping[str, str] | None:
    found = prohibited_status(code)
    return None if found is None else {"status": found.status, "reason": found.reason}
