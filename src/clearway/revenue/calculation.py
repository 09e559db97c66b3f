"""Duties and taxes of one consignment under a jurisdiction period: pure, itemised, explained.

One function for every profile; the period (clearway.reference.jurisdictions) says what applies: valuation
(CIF or FOB), de minimis for duty and for tax with their basis (per consignment, per person per day,
per transaction with an annual limit), thresholds by channel and place of shipment, gift relief, flat
duty per sub-heading, point-of-sale and vendor schemes, the tax, its base and its share (China's 70 %
in the cross-border channel), consumption tax. Amounts are `Decimal` in the jurisdiction currency;
each line is rounded half-up to the currency's minor unit (`money.ROUNDING_RULE`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from clearway.reference import TariffRate
from clearway.reference.jurisdictions import Period
from clearway.reference.money import to_minor
from clearway.revenue.tariffs import DutyRate
from clearway.revenue.tariffs.rates import Specific, specific_quantity

ZERO = Decimal(0)


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


@dataclass(frozen=True, slots=True)
class RevenueSettings:
    fallback_duty_rate: Decimal = Decimal("0.12")


def _shares(c: Consignment) -> list[Decimal]:
    """Transport and insurance per item, in proportion to value (by count if all values are 0)."""
    total = sum((i.value for i in c.items), ZERO)
    n = len(c.items)
    return [c.transport_and_insurance * (i.value / total if total else Decimal(1) / n) for i in c.items]


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


def _item_duty(
    item: Item, customs_value: Decimal, currency: str, tariff: TariffLookup, settings: RevenueSettings
) -> tuple[Decimal, Decimal, str]:
    """Duty amount, ad valorem rate and an explanation of where the rate came from."""
    found = tariff(item.hs_code)
    if found is None:
        fallback = settings.fallback_duty_rate
        return (
            customs_value * fallback,
            fallback,
            f"no tariff line for {item.hs_code}: fallback rate {fallback}",
        )
    rate = _as_duty_rate(found)
    amount = customs_value * rate.ad_valorem
    note = f"{rate.source} {rate.code_matched}: {rate.rate_text}"
    for spec in rate.specifics:
        qty = specific_quantity(spec, item.net_mass_kg, item.quantity)
        if qty is None or spec.currency != currency:
            why = "quantity unit not declared" if qty is None else f"amount in {spec.currency}"
            note += f"; specific part {spec} not applied ({why})"
        else:
            amount += spec.amount * qty
            note += f"; specific {spec} x {qty.normalize():f}"
    if rate.note:
        note += f"; {rate.note}"
    return amount, rate.ad_valorem, note


def _consumption_tax_rate(period: Period, hs_code: str) -> Decimal:
    return next((rate for prefix, rate in period.consumption_tax if hs_code.startswith(prefix)), ZERO)


def assess(
    c: Consignment,
    period: Period,
    currency: str,
    vat_rate: Decimal,
    tariff: TariffLookup,
    settings: RevenueSettings = RevenueSettings(),
) -> RevenueAssessment:
    """Itemised duties and taxes. `vat_rate` is the period's tax rate for the destination (VAT/GST)."""

    def minor(amount: Decimal) -> int:
        return to_minor(amount, currency)

    if c.documents_only:
        return RevenueAssessment.of(currency, ())
    shares = _shares(c)
    cif = period.valuation_basis == "CIF"
    values = [i.value + t if cif else i.value for i, t in zip(c.items, shares, strict=True)]
    lines: list[TaxLine] = []
    relieved_gift = c.gift and c.intrinsic_value <= period.gift_relief
    duty_dm, tax_dm, threshold_basis = period.thresholds_for(c.channel, c.shipped_from)
    # Per person per day: the person's other imports that day count towards the threshold.
    threshold_value = c.intrinsic_value + (
        c.same_day_value if period.de_minimis_basis == "person_day" else ZERO
    )
    within_limits = (
        period.transaction_limit is not None
        and c.intrinsic_value <= period.transaction_limit
        and (period.annual_limit is None or c.annual_value_before + c.intrinsic_value <= period.annual_limit)
    )

    # Duty
    duty_by_item: list[Decimal] = [ZERO] * len(c.items)
    if relieved_gift:
        lines.append(
            TaxLine(
                None, TaxType.DUTY, minor(c.intrinsic_value), ZERO, 0, Collection.RELIEVED, period.gift_basis
            )
        )
    elif threshold_value <= duty_dm:
        flat = period.flat_duty_per_subheading
        if flat is not None and c.intrinsic_value < period.duty_de_minimis:
            subheadings = sorted({i.hs_code[:6] for i in c.items})
            amount = flat * len(subheadings)
            collection = Collection.CHECKOUT if c.vendor_registration else Collection.BORDER
            # The flat duty is a customs duty, so it joins the VAT base, shared by item value.
            total = sum(values, ZERO)
            duty_by_item = [amount * (v / total if total else Decimal(1) / len(values)) for v in values]
            lines.append(
                TaxLine(
                    None,
                    TaxType.FLAT_DUTY,
                    minor(c.intrinsic_value),
                    flat,
                    minor(amount),
                    collection,
                    period.duty_basis,
                    f"{len(subheadings)} sub-heading(s): {', '.join(subheadings)}",
                )
            )
        else:
            per_day = " (with the same person's other imports that day)" if c.same_day_value else ""
            lines.append(
                TaxLine(
                    None,
                    TaxType.DUTY,
                    minor(c.intrinsic_value),
                    ZERO,
                    0,
                    Collection.RELIEVED,
                    threshold_basis,
                    f"intrinsic value{per_day} within {duty_dm} {currency}",
                )
            )
    else:
        for k, (item, cv) in enumerate(zip(c.items, values, strict=True)):
            amount, rate, note = _item_duty(item, cv, currency, tariff, settings)
            if within_limits:
                share = period.within_limits_duty_share
                amount *= share
                rate *= share
                note = f"{period.within_limits_basis}; {note}"
            duty_by_item[k] = amount
            collection = Collection.RELIEVED if within_limits and amount == 0 else Collection.BORDER
            basis = period.within_limits_basis if within_limits else period.tariff_basis
            lines.append(
                TaxLine(item.seq, TaxType.DUTY, minor(cv), rate, minor(amount), collection, basis, note)
            )

    if period.tax_type == "none":
        return RevenueAssessment.of(currency, tuple(lines))

    # Taxes, item by item, on the base the period defines
    tax_type = TaxType(period.tax_type)
    tax_share = period.within_limits_tax_share if within_limits else Decimal(1)
    point_of_sale = (
        period.point_of_sale_limit is not None
        and c.intrinsic_value <= period.point_of_sale_limit
        and not c.gift
    )
    under_scheme = (
        c.vendor_registration is not None
        and period.vendor_scheme_limit is not None
        and c.intrinsic_value <= period.vendor_scheme_limit
    )
    rate_text = f"{(vat_rate * 100).normalize():f}%"
    tax_lines: list[TaxLine] = []
    for item, cv, duty, transport in zip(c.items, values, duty_by_item, shares, strict=True):
        note = f"{period.tax_name} {c.destination_country} {rate_text}"
        basis = period.tax_basis
        if relieved_gift:
            collection = Collection.RELIEVED
            basis = period.gift_basis
        elif point_of_sale:
            registered = c.vendor_registration is not None or not period.point_of_sale_requires_registration
            collection = Collection.CHECKOUT if registered else Collection.RELIEVED
            basis = period.point_of_sale_basis
            if not registered:
                note += "; seller not registered: not collected at the border"
        elif threshold_value <= tax_dm:
            collection = Collection.RELIEVED
            basis = threshold_basis if period.thresholds else basis
        else:
            collection = Collection.CHECKOUT if under_scheme else Collection.BORDER
        ct_rate = _consumption_tax_rate(period, item.hs_code)
        consumption = (cv + duty) / (1 - ct_rate) * ct_rate if ct_rate else ZERO
        base = cv + duty + consumption
        if period.tax_base == "customs_value_plus_duty_plus_transport":
            base += transport
        relieved = collection is Collection.RELIEVED
        if ct_rate:
            ct_note = f"consumption tax {(ct_rate * 100).normalize():f}% on (value + duty) / (1 - rate)"
            if tax_share != 1:
                ct_note += f", x {tax_share.normalize():f}"
            ct_amount = ZERO if relieved else consumption * tax_share
            lines.append(
                TaxLine(
                    item.seq,
                    TaxType.CONSUMPTION_TAX,
                    minor(cv + duty),
                    ct_rate,
                    minor(ct_amount),
                    collection,
                    basis,
                    ct_note,
                )
            )
        if tax_share != 1:
            note += f" x {tax_share.normalize():f} ({period.within_limits_basis})"
        amount = ZERO if relieved else base * vat_rate * tax_share
        tax_lines.append(
            TaxLine(item.seq, tax_type, minor(base), vat_rate, minor(amount), collection, basis, note)
        )
    return RevenueAssessment.of(currency, tuple(lines + tax_lines))
