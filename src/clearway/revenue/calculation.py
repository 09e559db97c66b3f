"""Duties and taxes of one consignment under a jurisdiction period: pure, itemised, explained.

First version: the EU profile (CIF valuation, CET duty above the relief threshold, flat duty per
sub-heading where the period has one, import VAT at the destination's standard rate, IOSS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from clearway.reference import TariffRate
from clearway.revenue.money import to_minor
from clearway.revenue.profiles import Period

ZERO = Decimal(0)


class TaxType(StrEnum):
    DUTY = "duty"
    FLAT_DUTY = "flat_duty"
    VAT = "vat"


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


@dataclass(frozen=True, slots=True)
class Consignment:
    destination_country: str
    intrinsic_value: Decimal  # jurisdiction currency
    transport_and_insurance: Decimal  # jurisdiction currency
    items: Sequence[Item]
    gift: bool
    documents_only: bool
    vendor_registration: str | None


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


TariffLookup = Callable[[str], TariffRate | None]


@dataclass(frozen=True, slots=True)
class RevenueSettings:
    fallback_duty_rate: Decimal = Decimal("0.12")


def _customs_values(c: Consignment) -> list[Decimal]:
    """CIF: transport and insurance shared over items in proportion to their value (by count if all 0)."""
    total = sum((i.value for i in c.items), ZERO)
    n = len(c.items)
    return [
        i.value + c.transport_and_insurance * (i.value / total if total else Decimal(1) / n) for i in c.items
    ]


def _item_duty(
    item: Item, customs_value: Decimal, tariff: TariffLookup, settings: RevenueSettings
) -> tuple[Decimal, Decimal, str]:
    """Duty amount, ad valorem rate and an explanation of where the rate came from."""
    rate = tariff(item.hs_code)
    if rate is None:
        fallback = settings.fallback_duty_rate
        return (
            customs_value * fallback,
            fallback,
            f"no tariff line for {item.hs_code}: fallback rate {fallback}",
        )
    amount = customs_value * rate.ad_valorem
    note = f"{rate.source} {rate.code_matched}: {rate.rate_text}"
    if rate.specific_amount is not None:
        if rate.specific_unit == "EUR/100kg":
            amount += rate.specific_amount * item.net_mass_kg / 100
        else:
            note += f"; specific part per {rate.specific_unit} not applied (quantity unit not declared)"
    if rate.note:
        note += f"; {rate.note}"
    return amount, rate.ad_valorem, note


def assess(
    c: Consignment,
    period: Period,
    currency: str,
    vat_rate: Decimal,
    tariff: TariffLookup,
    settings: RevenueSettings = RevenueSettings(),
) -> RevenueAssessment:
    def minor(amount: Decimal) -> int:
        return to_minor(amount, currency)

    if c.documents_only:
        return RevenueAssessment.of(currency, ())
    values = _customs_values(c)
    lines: list[TaxLine] = []
    relieved_gift = c.gift and c.intrinsic_value <= period.gift_relief

    # Duty
    duty_by_item: list[Decimal] = [ZERO] * len(c.items)
    if relieved_gift:
        lines.append(
            TaxLine(
                None,
                TaxType.DUTY,
                minor(c.intrinsic_value),
                ZERO,
                0,
                Collection.RELIEVED,
                "Reg. (EC) 1186/2009 Art. 25(1) (gift relief)",
            )
        )
    elif c.intrinsic_value <= period.duty_de_minimis:
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
            lines.append(
                TaxLine(
                    None,
                    TaxType.DUTY,
                    minor(c.intrinsic_value),
                    ZERO,
                    0,
                    Collection.RELIEVED,
                    period.duty_basis,
                    f"intrinsic value within {period.duty_de_minimis} {currency}",
                )
            )
    else:
        for k, (item, cv) in enumerate(zip(c.items, values, strict=True)):
            amount, rate, note = _item_duty(item, cv, tariff, settings)
            duty_by_item[k] = amount
            lines.append(
                TaxLine(
                    item.seq,
                    TaxType.DUTY,
                    minor(cv),
                    rate,
                    minor(amount),
                    Collection.BORDER,
                    "Common Customs Tariff (Reg. (EEC) 2658/87)",
                    note,
                )
            )

    # VAT on the customs value plus duty, item by item
    vat_relieved = relieved_gift or c.intrinsic_value <= period.tax_de_minimis
    under_scheme = (
        c.vendor_registration is not None
        and period.vendor_scheme_limit is not None
        and c.intrinsic_value <= period.vendor_scheme_limit
    )
    for item, cv, duty in zip(c.items, values, duty_by_item, strict=True):
        base = cv + duty
        if vat_relieved:
            collection, amount = Collection.RELIEVED, ZERO
        else:
            collection = Collection.CHECKOUT if under_scheme else Collection.BORDER
            amount = base * vat_rate
        lines.append(
            TaxLine(
                item.seq,
                TaxType.VAT,
                minor(base),
                vat_rate,
                minor(amount),
                collection,
                period.tax_basis,
                f"VAT {c.destination_country} {(vat_rate * 100).normalize():f}%",
            )
        )
    return RevenueAssessment.of(currency, tuple(lines))
