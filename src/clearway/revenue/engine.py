"""The revenue engine: the one entry point that assesses a consignment, and the public estimate.

`assess_for(consignment, jurisdiction, date)` is the entry point the clearance pipeline, the estimator,
the batch path (for what it cannot vectorise) and the de minimis simulator go through. It takes the
rules in force from `rules_for` — the profile period, the tax rate (the member state's VAT for the EU,
the national rate elsewhere, or the profile's own), the tariff schedule (or the profile's stated default
rate), the fallback duty rate and the de minimis for the channel and place of shipment — and hands them
to the pure `calculation.assess_under`. The batch path (`batch.py`) and the simulator take their rules
from the same `rules_for` and `calculation.duty_rate_for`.

Money is converted at the ECB reference rate of the date (cross rates through EUR) and rounded half-up
to the minor unit of the jurisdiction currency (`local_amount`) before anything is compared with a
threshold. The estimate explains its result; bad input raises `EstimateError` naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from clearway.reference import (
    eu_standard_vat_rate,
    hs_is_valid,
    hs_subheading,
    is_country,
    is_currency,
    minor_units,
    prohibited_status,
)
from clearway.reference._load import read_rows
from clearway.reference.errors import NoProfileForDate, RateNotFound, UnknownDestination
from clearway.reference.jurisdictions import Jurisdiction, Period, profile_for
from clearway.reference.money import ROUNDING_RULE, format_minor
from clearway.reference.rates import convert, rate_date, units_per_eur
from clearway.revenue.calculation import (
    FALLBACK_DUTY_RATE,
    Collection,
    Consignment,
    Item,
    RevenueAssessment,
    RevenueSettings,
    RulesInForce,
    TariffLookup,
    TaxLine,
    TaxType,
    assess_under,
    gift_relief_applies,
    rules_in_force,
)
from clearway.revenue.errors import EstimateError, NoTaxRate
from clearway.revenue.tariffs import DutyRate, schedule

# Larger amounts are rejected as absurd for a parcel (and keep integer minor units far from overflow).
MAX_AMOUNT = Decimal("100000000")
CHANNELS = ("courier", "post")
DUTY_TYPES = frozenset({TaxType.DUTY, TaxType.FLAT_DUTY})
# The declaration's transport channel (declarations.model.Channel) as the profiles' threshold channel.
DECLARED_CHANNELS = {"express": "courier", "post": "post"}
# UN/ECE Recommendation 20 units whose quantity is a count of pieces (for specific duties per item).
PIECES_PER_UNIT = {
    "PCE": Decimal(1),
    "NAR": Decimal(1),
    "C62": Decimal(1),
    "H87": Decimal(1),
    "DZN": Decimal(12),
}


# --- the rules in force ------------------------------------------------------------------------------


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


_RuleKey = tuple[str, str, dt.date, str | None, str | None, Decimal]
_RULES: dict[_RuleKey, tuple[Jurisdiction, RulesInForce]] = {}


def rules_for(
    j: Jurisdiction,
    destination: str,
    on: dt.date,
    channel: str | None = None,
    shipped_from: str | None = None,
    fallback_duty_rate: Decimal = FALLBACK_DUTY_RATE,
) -> RulesInForce:
    """The rules a consignment to `destination` on `on` is assessed under (cached per key: the same few
    destinations, days and channels recur all day). Raises NoProfileForDate and NoTaxRate."""
    key = (j.id, destination, on, channel, shipped_from, fallback_duty_rate)
    hit = _RULES.get(key)
    if hit is not None and hit[0] is j:
        return hit[1]
    period = j.period(on)
    rules = rules_in_force(
        period,
        j.currency,
        tax_rate_for(period, destination, on),
        tariff_for(j),
        RevenueSettings(fallback_duty_rate),
        channel,
        shipped_from,
    )
    if len(_RULES) > 65_536:
        _RULES.clear()
    _RULES[key] = (j, rules)
    return rules


def assess_for(
    c: Consignment, j: Jurisdiction, on: dt.date, fallback_duty_rate: Decimal = FALLBACK_DUTY_RATE
) -> RevenueAssessment:
    """The itemised assessment of a consignment imported into jurisdiction `j` on `on`: the one entry
    point of the revenue feature (pipeline, estimator, batch fallback, simulator)."""
    rules = rules_for(j, c.destination_country, on, c.channel, c.shipped_from, fallback_duty_rate)
    return assess_under(c, rules)


@cache
def _minor_unit(currency: str) -> Decimal:
    units = minor_units(currency)
    return Decimal(1).scaleb(-(2 if units is None else units))


def local_amount(amount: Decimal, currency: str, to_currency: str, on: dt.date) -> Decimal:
    """`amount` in the jurisdiction currency at the ECB rate of the day, rounded half-up to its minor
    unit (raises RateNotFound)."""
    converted = amount if currency == to_currency else convert(amount, currency, to_currency, on)
    return converted.quantize(_minor_unit(to_currency), rounding=ROUND_HALF_UP)


def threshold_channel(declared: str) -> str | None:
    """The channel the thresholds speak of (courier or post) for a declared transport channel."""
    return DECLARED_CHANNELS.get(declared)


def declared_pieces(quantity: Decimal, unit: str) -> Decimal | None:
    """A declared quantity as a count of pieces, or None when its unit is not a count (kg, l, ...)."""
    per_unit = PIECES_PER_UNIT.get(unit.upper())
    return None if per_unit is None else quantity * per_unit


def collection_model(a: RevenueAssessment, period: Period, intrinsic_value: Decimal) -> str:
    """Who pays what the assessment collects: the intermediary (China's cross-border channel, withheld by
    the platform or logistics company), the vendor (at checkout), the buyer (at the border), or none."""
    collected = [x for x in a.lines if x.collection is not Collection.RELIEVED and x.amount_minor]
    cbec = period.transaction_limit is not None and intrinsic_value <= period.transaction_limit
    if cbec and collected:
        return "intermediary"
    if any(x.collection is Collection.CHECKOUT for x in collected):
        return "vendor"
    if collected:
        return "buyer"
    return "none"


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


REQUIRED_PARAMETERS = ("destination", "date", "origin", "value", "currency", "hs")
BOOLEAN_TEXTS = {
    **dict.fromkeys(("true", "1", "on", "yes"), True),
    **dict.fromkeys(("false", "0", "off", "no"), False),
}


def estimate_request(params: Mapping[str, str | None]) -> EstimateRequest:
    """An estimate request from string parameters (query string, form); raises EstimateError naming
    the field."""
    for name in REQUIRED_PARAMETERS:
        if not params.get(name):
            raise EstimateError(name, "is required")
    gift = (params.get("gift") or "false").lower()
    if gift not in BOOLEAN_TEXTS:
        raise EstimateError("gift", f"{params['gift']!r} is not a boolean")
    return EstimateRequest(
        destination=str(params["destination"]),
        on=parse_date(str(params["date"])),
        origin=str(params["origin"]),
        value=parse_amount(str(params["value"]), "value"),
        currency=str(params["currency"]),
        hs=str(params["hs"]),
        shipping=parse_amount(params.get("shipping") or "0", "shipping"),
        vendor_registration=params.get("vendor_registration") or None,
        gift=BOOLEAN_TEXTS[gift],
        channel=params.get("channel") or "courier",
    )


def _country(code: str, name: str) -> str:
    code = code.strip().upper()
    if not is_country(code):
        raise EstimateError(name, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


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
        return local_amount(amount, req.currency, j.currency, req.on)
    except RateNotFound as exc:
        # Every profile currency has an ECB series, so a missing rate is the input currency's.
        raise EstimateError("currency", str(exc)) from None


def _rules(req: EstimateRequest, j: Jurisdiction, fallback_duty_rate: Decimal) -> RulesInForce:
    try:
        return rules_for(j, req.destination, req.on, req.channel, req.origin, fallback_duty_rate)
    except NoTaxRate as exc:
        raise EstimateError("destination", str(exc)) from None


def _exchange_rate(
    req: EstimateRequest, currency: str, value: Decimal
) -> tuple[dict[str, str] | None, list[str]]:
    """The ECB rate used to convert the parcel's value, and how (None when no conversion was needed)."""
    if req.currency == currency:
        return None, []
    used = rate_date(req.on)
    from_rate, to_rate = units_per_eur(req.currency, req.on), units_per_eur(currency, req.on)
    exchange = {
        "from": req.currency,
        "to": currency,
        "date": used.isoformat(),
        "rate": f"{(to_rate / from_rate).quantize(Decimal('0.000001')).normalize():f}",
        "source": "ECB euro reference rates, cross rate via EUR",
    }
    notes = [
        f"{req.value} {req.currency} = {value} {currency} at the ECB reference rates of {used}"
        f" ({from_rate} {req.currency} and {to_rate} {currency} per EUR),"
        " rounded half-up to the minor unit"
    ]
    if used < req.on:
        notes.append(f"no ECB rate loaded for {req.on}: the last published rate ({used}) was used")
    return exchange, notes


def _parcel(req: EstimateRequest, value: Decimal, shipping: Decimal) -> Consignment:
    """The parcel as a consignment of one goods item."""
    return Consignment(
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


def _amounts_due(a: RevenueAssessment) -> tuple[int, dict[str, int], dict[str, int]]:
    """Duty (ad valorem and flat), each tax, and fees, in minor units; relieved lines count 0."""
    duty = sum(
        x.amount_minor
        for x in a.lines
        if x.tax_type in DUTY_TYPES and x.collection is not Collection.RELIEVED
    )
    taxes: dict[str, int] = {}
    for x in a.lines:
        if x.tax_type not in DUTY_TYPES:
            due = 0 if x.collection is Collection.RELIEVED else x.amount_minor
            taxes[x.tax_type.value] = taxes.get(x.tax_type.value, 0) + due
    return duty, taxes, {}


def _de_minimis_applied(a: RevenueAssessment, c: Consignment, rules: RulesInForce) -> bool:
    """A de minimis (not the gift relief) relieved some duty or tax of the parcel."""
    relieved = any(x.collection is Collection.RELIEVED for x in a.lines)
    value = c.intrinsic_value
    return (
        not gift_relief_applies(c, rules.period)
        and relieved
        and (value <= rules.duty_de_minimis or value <= rules.tax_de_minimis)
    )


def _tariff_json(rules: RulesInForce, hs: str) -> dict[str, str] | None:
    rate = rules.tariff(hs)
    if rate is None:
        return None
    return {
        "code_matched": rate.code_matched,
        "rate": rate.rate_text,
        "source": rate.source,
        "note": rate.note,
    }


def _restriction(hs: str) -> tuple[dict[str, str] | None, list[str]]:
    found = prohibited_status(hs)
    if found is None:
        return None, []
    note = f"{found.status.upper()}: {found.reason} (HS {found.hs_prefix})"
    return {"status": found.status, "hs_prefix": found.hs_prefix, "reason": found.reason}, [note]


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


def estimate(request: EstimateRequest, fallback_duty_rate: Decimal = FALLBACK_DUTY_RATE) -> Estimate:
    """What a parcel will cost in duty and taxes at its destination on a date, explained."""
    req, j, period = _checked(request)
    currency = j.currency
    value, shipping = _to_local(req.value, req, j), _to_local(req.shipping, req, j)
    exchange, conversion = _exchange_rate(req, currency, value)
    rules = _rules(req, j, fallback_duty_rate)
    parcel = _parcel(req, value, shipping)
    a = assess_for(parcel, j, req.on, fallback_duty_rate)
    duty, taxes, fees = _amounts_due(a)
    restriction, restricted = _restriction(req.hs)
    coverage = (
        f"{req.destination} is covered by the {j.name} profile ({j.id}), rules in force"
        f" {period.valid_from} to {period.valid_to}"
    )
    explanations = [coverage, *conversion, *_explain(a, rules, req, value, j), *restricted]
    explanations.append(f"rounding: {ROUNDING_RULE}")
    return Estimate(
        jurisdiction=j.id,
        destination=req.destination,
        currency=currency,
        duty=format_minor(duty, currency),
        taxes={k: format_minor(v, currency) for k, v in taxes.items()},
        fees={k: format_minor(v, currency) for k, v in fees.items()},
        total=format_minor(duty + sum(taxes.values()) + sum(fees.values()), currency),
        due_at_border=format_minor(a.due_at_border_minor, currency),
        collection_model=collection_model(a, period, value),
        de_minimis_applied=_de_minimis_applied(a, parcel, rules),
        customs_value=str(value + shipping if period.valuation_basis == "CIF" else value),
        exchange_rate=exchange,
        tariff=_tariff_json(rules, req.hs),
        restriction=restriction,
        lines=[_line_json(x, currency) for x in a.lines],
        explanations=explanations,
    )


def _explain(
    a: RevenueAssessment, rules: RulesInForce, req: EstimateRequest, value: Decimal, j: Jurisdiction
) -> list[str]:
    period, cur = rules.period, j.currency
    duty_dm, tax_dm = rules.duty_de_minimis, rules.tax_de_minimis
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
