"""Duties and taxes of one consignment under the rules in force: pure, itemised, explained.

One set of rules for every profile; the period (clearway.reference.jurisdictions) says what applies:
valuation (CIF or FOB), de minimis for duty and for tax with their basis (per consignment, per person
per day, per transaction with an annual limit), thresholds by channel and place of shipment, gift
relief, flat duty per sub-heading, point-of-sale and vendor schemes, the tax, its base and its share
(China's 70 % in the cross-border channel), consumption tax. Amounts are `Decimal` in the jurisdiction
currency; each line is rounded half-up to the currency's minor unit (`money.ROUNDING_RULE`).

`RulesInForce` is what the assessment needs besides the consignment: the period, the destination's tax
rate, the tariff, the fallback duty rate and the de minimis for the consignment's channel and place of
shipment. `clearway.revenue.engine.rules_for` builds it for a jurisdiction and a date, and both the
scalar `assess_under` here and the vectorised `clearway.revenue.batch` take their rules from it. The
named steps below (`apportion_transport`, `customs_values`, `gift_relief_applies`, `duty_lines`,
`tax_collection_point`, ...) are the decisions a customs officer takes, in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from clearway.reference import TariffRate
from clearway.reference.jurisdictions import Period
from clearway.reference.money import from_minor, to_minor
from clearway.revenue.tariffs import DutyRate
from clearway.revenue.tariffs.rates import Specific, specific_quantity

ZERO = Decimal(0)
ONE = Decimal(1)
# Duty rate for a goods code no tariff line covers, always reported as a fallback; the setting
# CLEARWAY_FALLBACK_DUTY_RATE (config.Settings.fallback_duty_rate) overrides it.
FALLBACK_DUTY_RATE = Decimal("0.12")
FALLBACK_SOURCE = "fallback rate"


class TaxType(StrEnum):
    DUTY = "duty"
    FLAT_DUTY = "flat_duty"
    VAT = "vat"
    GST = "gst"
    CONSUMPTION_TAX = "consumption_tax"


class Collection(StrEnum):
    BORDER = "border"  # due to customs before release (or on the intermediary's account)
    CHECKOUT = "checkout"  # collected by the vendor or platform at the sale (IOSS)
    RELIEVED = "relieved"  # not due: de minimis or gift relief


@dataclass(frozen=True, slots=True)
class Item:
    seq: int
    hs_code: str
    value: Decimal  # in the jurisdiction currency
    net_mass_kg: Decimal
    quantity: Decimal | None = None  # pieces, for specific duties per item, pair or dozen


@dataclass(frozen=True, slots=True)
class Consignment:
    destination_country: str
    intrinsic_value: Decimal  # jurisdiction currency
    transport_and_insurance: Decimal  # jurisdiction currency
    items: Sequence[Item]
    gift: bool
    documents_only: bool
    vendor_registration: str | None
    shipped_from: str | None = None  # place of direct shipment (Canada) or origin (US 2025 rule)
    channel: str | None = None  # "courier" or "post"
    same_day_value: Decimal = ZERO  # other imports of the same person that day (per person per day)
    annual_value_before: Decimal = ZERO  # the buyer's cross-border purchases this year so far (China)


@dataclass(frozen=True, slots=True)
class TaxLine:
    item_seq: int | None  # None for consignment-level lines
    tax_type: TaxType
    base_minor: int
    rate: Decimal  # fraction for ad valorem; amount per unit for flat duties
    amount_minor: int
    collection: Collection
    legal_basis: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class RevenueAssessment:
    currency: str
    lines: tuple[TaxLine, ...]
    due_at_border_minor: int = 0  # the sum of the border lines, set by `of`

    @classmethod
    def of(cls, currency: str, lines: tuple[TaxLine, ...]) -> RevenueAssessment:
        due = sum(line.amount_minor for line in lines if line.collection is Collection.BORDER)
        return cls(currency, lines, due)

    def total_minor(self, tax_type: TaxType | None = None) -> int:
        return sum(
            line.amount_minor
            for line in self.lines
            if line.collection is not Collection.RELIEVED and (tax_type is None or line.tax_type is tax_type)
        )


TariffLookup = Callable[[str], TariffRate | DutyRate | None]
_TAX_TYPES = {t.value: t for t in TaxType}


@dataclass(frozen=True, slots=True)
class RevenueSettings:
    fallback_duty_rate: Decimal = FALLBACK_DUTY_RATE


@dataclass(frozen=True, slots=True)
class RulesInForce:
    """The law one consignment is assessed under (built once per destination, date, channel, origin)."""

    period: Period
    currency: str
    tax_rate: Decimal  # the destination's VAT/GST rate on the date (0 where the period has no tax)
    tariff: TariffLookup
    fallback_duty_rate: Decimal
    duty_de_minimis: Decimal  # for the consignment's channel and place of shipment
    tax_de_minimis: Decimal
    de_minimis_basis: str  # the legal basis of those two thresholds


def rules_in_force(
    period: Period,
    currency: str,
    tax_rate: Decimal,
    tariff: TariffLookup,
    settings: RevenueSettings,
    channel: str | None,
    shipped_from: str | None,
) -> RulesInForce:
    """The period's rules with the de minimis that apply to a channel and place of shipment."""
    duty_dm, tax_dm, basis = period.thresholds_for(channel, shipped_from)
    return RulesInForce(
        period, currency, tax_rate, tariff, settings.fallback_duty_rate, duty_dm, tax_dm, basis
    )


# --- the tariff ---------------------------------------------------------------------------------------


def _as_duty_rate(rate: TariffRate | DutyRate) -> DutyRate:
    if isinstance(rate, DutyRate):
        return rate
    specifics: tuple[Specific, ...] = ()
    if rate.specific_amount is not None and rate.specific_unit is not None:
        currency, _, unit = rate.specific_unit.partition("/")
        specifics = (Specific(rate.specific_amount, currency, unit),)
    return DutyRate(
        rate.code_requested,
        rate.code_matched,
        rate.ad_valorem,
        specifics,
        rate.rate_text,
        rate.source,
        rate.exact,
        True,
        rate.note,
    )


def duty_rate(tariff: TariffLookup, fallback_duty_rate: Decimal, hs_code: str) -> DutyRate:
    """The rate of the tariff line for the goods code; without one, the fallback rate (so stated)."""
    found = tariff(hs_code)
    if found is not None:
        return _as_duty_rate(found)
    note = f"no tariff line for {hs_code}: fallback rate {fallback_duty_rate}"
    text = f"{fallback_duty_rate}"
    return DutyRate(hs_code, "", fallback_duty_rate, (), text, FALLBACK_SOURCE, False, True, note)


def duty_rate_for(rules: RulesInForce, hs_code: str) -> DutyRate:
    """`duty_rate` under the rules in force: their tariff and fallback rate."""
    return duty_rate(rules.tariff, rules.fallback_duty_rate, hs_code)


def specific_duty(rate: DutyRate, item: Item, currency: str) -> tuple[Decimal, str]:
    """The specific part of a duty (an amount per kg, per item, ...) and how it was applied."""
    amount, note = ZERO, ""
    for spec in rate.specifics:
        qty = specific_quantity(spec, item.net_mass_kg, item.quantity)
        if qty is None or spec.currency != currency:
            why = "quantity unit not declared" if qty is None else f"amount in {spec.currency}"
            note += f"; specific part {spec} not applied ({why})"
        else:
            amount += spec.amount * qty
            note += f"; specific {spec} x {qty.normalize():f}"
    return amount, note


def item_duty(item: Item, customs_value: Decimal, rules: RulesInForce) -> tuple[Decimal, Decimal, str]:
    """Duty on one goods item at its tariff rate: amount, ad valorem rate, where the rate came from."""
    rate = duty_rate_for(rules, item.hs_code)
    if rate.source == FALLBACK_SOURCE:
        return customs_value * rate.ad_valorem, rate.ad_valorem, rate.note
    specific, how = specific_duty(rate, item, rules.currency)
    note = f"{rate.source} {rate.code_matched}: {rate.rate_text}{how}"
    if rate.note:
        note += f"; {rate.note}"
    return customs_value * rate.ad_valorem + specific, rate.ad_valorem, note


# --- valuation and reliefs ----------------------------------------------------------------------------


def apportion_transport(c: Consignment, currency: str) -> list[Decimal]:
    """Transport and insurance per goods item in whole minor units, in proportion to the item values
    (by count when every value is 0); the last item takes what the division leaves."""
    n = len(c.items)
    if not c.transport_and_insurance:
        return [ZERO] * n
    transport = to_minor(c.transport_and_insurance, currency)
    if transport == 0:
        return [ZERO] * n
    if n == 1:
        return [from_minor(transport, currency)]
    values = [to_minor(i.value, currency) for i in c.items]
    whole = sum(values)
    shares = [transport * v // whole for v in values] if whole else [transport // n] * n
    shares[-1] += transport - sum(shares)
    return [from_minor(s, currency) for s in shares]


def customs_values(c: Consignment, period: Period, transport: Sequence[Decimal]) -> list[Decimal]:
    """Customs value per item: CIF adds its share of transport and insurance, FOB does not."""
    if period.valuation_basis == "CIF":
        return [i.value + t for i, t in zip(c.items, transport, strict=True)]
    return [i.value for i in c.items]


def gift_relief_applies(c: Consignment, period: Period) -> bool:
    return c.gift and c.intrinsic_value <= period.gift_relief


def value_for_de_minimis(c: Consignment, period: Period) -> Decimal:
    """The value compared with the de minimis: per person per day, with the person's other imports."""
    return c.intrinsic_value + (c.same_day_value if period.de_minimis_basis == "person_day" else ZERO)


def within_cbec_limits(c: Consignment, period: Period) -> bool:
    """China: within the per-transaction and annual limits of the cross-border e-commerce channel."""
    return (
        period.transaction_limit is not None
        and c.intrinsic_value <= period.transaction_limit
        and (period.annual_limit is None or c.annual_value_before + c.intrinsic_value <= period.annual_limit)
    )


def flat_duty_applies(c: Consignment, period: Period) -> bool:
    """Flat duty per sub-heading, for consignments under the period's duty de minimis (EU 2026-)."""
    return period.flat_duty_per_subheading is not None and c.intrinsic_value < period.duty_de_minimis


def point_of_sale_applies(c: Consignment, period: Period) -> bool:
    """The tax is charged by the seller at the sale (UK, AU): low-value goods sold, not given."""
    return (
        period.point_of_sale_limit is not None
        and c.intrinsic_value <= period.point_of_sale_limit
        and not c.gift
    )


def under_vendor_scheme(c: Consignment, period: Period) -> bool:
    """A vendor registration (IOSS, ...) declared for a consignment within the scheme's limit."""
    return (
        c.vendor_registration is not None
        and period.vendor_scheme_limit is not None
        and c.intrinsic_value <= period.vendor_scheme_limit
    )


# --- duty ---------------------------------------------------------------------------------------------


def _gift_relief_line(c: Consignment, rules: RulesInForce) -> TaxLine:
    base = to_minor(c.intrinsic_value, rules.currency)
    return TaxLine(None, TaxType.DUTY, base, ZERO, 0, Collection.RELIEVED, rules.period.gift_basis)


def _duty_relief_line(c: Consignment, rules: RulesInForce) -> TaxLine:
    per_day = " (with the same person's other imports that day)" if c.same_day_value else ""
    return TaxLine(
        None,
        TaxType.DUTY,
        to_minor(c.intrinsic_value, rules.currency),
        ZERO,
        0,
        Collection.RELIEVED,
        rules.de_minimis_basis,
        f"intrinsic value{per_day} within {rules.duty_de_minimis} {rules.currency}",
    )


def flat_duty(
    c: Consignment, rules: RulesInForce, values: Sequence[Decimal]
) -> tuple[TaxLine, list[Decimal]]:
    """The flat duty per distinct sub-heading, and its share of each item's tax base (by customs value:
    it is a customs duty, so it joins the VAT base). Collected with the VAT: at checkout under a vendor
    registration, at the border otherwise."""
    period = rules.period
    assert period.flat_duty_per_subheading is not None
    flat = period.flat_duty_per_subheading
    subheadings = sorted({i.hs_code[:6] for i in c.items})
    amount = flat * len(subheadings)
    collection = Collection.CHECKOUT if c.vendor_registration else Collection.BORDER
    total = sum(values, ZERO)
    shares = [amount * (v / total if total else ONE / len(values)) for v in values]
    line = TaxLine(
        None,
        TaxType.FLAT_DUTY,
        to_minor(c.intrinsic_value, rules.currency),
        flat,
        to_minor(amount, rules.currency),
        collection,
        period.duty_basis,
        f"{len(subheadings)} sub-heading(s): {', '.join(subheadings)}",
    )
    return line, shares


def tariff_duty(
    c: Consignment, rules: RulesInForce, values: Sequence[Decimal], within_limits: bool
) -> tuple[list[TaxLine], list[Decimal]]:
    """Duty at the tariff rate, item by item; within China's limits scaled by the channel's share."""
    period = rules.period
    lines: list[TaxLine] = []
    amounts: list[Decimal] = []
    for item, cv in zip(c.items, values, strict=True):
        amount, rate, note = item_duty(item, cv, rules)
        if within_limits:
            share = period.within_limits_duty_share
            amount *= share
            rate *= share
            note = f"{period.within_limits_basis}; {note}"
        amounts.append(amount)
        collection = Collection.RELIEVED if within_limits and amount == 0 else Collection.BORDER
        basis = period.within_limits_basis if within_limits else period.tariff_basis
        base, due = to_minor(cv, rules.currency), to_minor(amount, rules.currency)
        lines.append(TaxLine(item.seq, TaxType.DUTY, base, rate, due, collection, basis, note))
    return lines, amounts


def duty_lines(
    c: Consignment, rules: RulesInForce, values: Sequence[Decimal], within_limits: bool
) -> tuple[list[TaxLine], list[Decimal]]:
    """Gift relief, else de minimis (relief or the flat duty), else the tariff: the lines and the duty
    of each item that joins its tax base."""
    none = [ZERO] * len(values)
    if gift_relief_applies(c, rules.period):
        return [_gift_relief_line(c, rules)], none
    if value_for_de_minimis(c, rules.period) <= rules.duty_de_minimis:
        if flat_duty_applies(c, rules.period):
            line, shares = flat_duty(c, rules, values)
            return [line], shares
        return [_duty_relief_line(c, rules)], none
    return tariff_duty(c, rules, values, within_limits)


# --- import VAT / GST and consumption tax -------------------------------------------------------------


def tax_collection_point(c: Consignment, rules: RulesInForce) -> tuple[Collection, str, str]:
    """Where the consignment's tax is collected, on which legal basis, and a note when it is not."""
    period = rules.period
    if gift_relief_applies(c, period):
        return Collection.RELIEVED, period.gift_basis, ""
    if point_of_sale_applies(c, period):
        if c.vendor_registration is not None or not period.point_of_sale_requires_registration:
            return Collection.CHECKOUT, period.point_of_sale_basis, ""
        return (
            Collection.RELIEVED,
            period.point_of_sale_basis,
            "; seller not registered: not collected at the border",
        )
    if value_for_de_minimis(c, period) <= rules.tax_de_minimis:
        return Collection.RELIEVED, rules.de_minimis_basis if period.thresholds else period.tax_basis, ""
    if under_vendor_scheme(c, period):
        return Collection.CHECKOUT, period.tax_basis, ""
    return Collection.BORDER, period.tax_basis, ""


def consumption_tax_rate(period: Period, hs_code: str) -> Decimal:
    return next((rate for prefix, rate in period.consumption_tax if hs_code.startswith(prefix)), ZERO)


def import_tax_lines(
    c: Consignment,
    rules: RulesInForce,
    values: Sequence[Decimal],
    duties: Sequence[Decimal],
    transport: Sequence[Decimal],
    within_limits: bool,
) -> tuple[list[TaxLine], list[TaxLine]]:
    """Consumption tax and VAT/GST item by item on the base the period defines: (consumption tax lines,
    VAT/GST lines)."""
    period, currency, vat_rate = rules.period, rules.currency, rules.tax_rate
    tax_type = _TAX_TYPES[period.tax_type]
    tax_share = period.within_limits_tax_share if within_limits else ONE
    collection, basis, not_collected = tax_collection_point(c, rules)
    relieved = collection is Collection.RELIEVED
    adds_transport = period.tax_base == "customs_value_plus_duty_plus_transport"
    share_note = f" x {tax_share.normalize():f} ({period.within_limits_basis})" if tax_share != 1 else ""
    note = f"{period.tax_name} {c.destination_country} {(vat_rate * 100).normalize():f}%{not_collected}"
    consumption_lines: list[TaxLine] = []
    tax_lines: list[TaxLine] = []
    for item, cv, duty, carriage in zip(c.items, values, duties, transport, strict=True):
        ct_rate = consumption_tax_rate(period, item.hs_code)
        consumption = (cv + duty) / (1 - ct_rate) * ct_rate if ct_rate else ZERO
        base = cv + duty + consumption + (carriage if adds_transport else ZERO)
        if ct_rate:
            ct_note = f"consumption tax {(ct_rate * 100).normalize():f}% on (value + duty) / (1 - rate)"
            if tax_share != 1:
                ct_note += f", x {tax_share.normalize():f}"
            ct_amount = ZERO if relieved else consumption * tax_share
            consumption_lines.append(
                TaxLine(
                    item.seq,
                    TaxType.CONSUMPTION_TAX,
                    to_minor(cv + duty, currency),
                    ct_rate,
                    to_minor(ct_amount, currency),
                    collection,
                    basis,
                    ct_note,
                )
            )
        amount = ZERO if relieved else base * vat_rate * tax_share
        tax_lines.append(
            TaxLine(
                item.seq,
                tax_type,
                to_minor(base, currency),
                vat_rate,
                to_minor(amount, currency),
                collection,
                basis,
                note + share_note,
            )
        )
    return consumption_lines, tax_lines


# --- the assessment -----------------------------------------------------------------------------------


def assess_under(c: Consignment, rules: RulesInForce) -> RevenueAssessment:
    """Itemised duties and taxes of a consignment under the rules in force.

    Documents owe nothing. Otherwise: transport apportioned to the items, customs value per item,
    duty (gift relief, de minimis relief or flat duty, tariff), then consumption tax and VAT/GST on
    the period's base, collected where the period and the declared registration say."""
    if c.documents_only:
        return RevenueAssessment.of(rules.currency, ())
    transport = apportion_transport(c, rules.currency)
    values = customs_values(c, rules.period, transport)
    within_limits = within_cbec_limits(c, rules.period)
    lines, duties = duty_lines(c, rules, values, within_limits)
    if rules.period.tax_type == "none":
        return RevenueAssessment.of(rules.currency, tuple(lines))
    consumption, taxes = import_tax_lines(c, rules, values, duties, transport, within_limits)
    return RevenueAssessment.of(rules.currency, (*lines, *consumption, *taxes))


def assess(
    c: Consignment,
    period: Period,
    currency: str,
    vat_rate: Decimal,
    tariff: TariffLookup,
    settings: RevenueSettings = RevenueSettings(),
) -> RevenueAssessment:
    """Itemised duties and taxes. `vat_rate` is the period's tax rate for the destination (VAT/GST).

    For callers that already hold the period and rates (tests, what-if tools); the clearance pipeline,
    the estimator and the batch path go through `clearway.revenue.engine.assess_for`."""
    rules = rules_in_force(period, currency, vat_rate, tariff, settings, c.channel, c.shipped_from)
    return assess_under(c, rules)
