"""IRG consignment category, interoperable with UN/EDIFACT 7085 codes 1-4."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum


class IrgCategory(IntEnum):
    DOCUMENTS = 1
    LOW_VALUE_NON_DUTIABLE = 2
    LOW_VALUE_DUTIABLE = 3
    HIGH_VALUE = 4


def irg_category(
    *,
    documents_only: bool,
    gift: bool,
    value: Decimal,
    duty_de_minimis: Decimal,
    tax_de_minimis: Decimal,
    low_value_ceiling: Decimal,
    gift_relief: Decimal,
) -> IrgCategory:
    """Category from the intrinsic value in the jurisdiction's currency and its thresholds.

    Category 2 needs the value under *both* de minimis: since 2021 EU VAT has none, so only C2C gifts
    within the gift relief stay non-dutiable there.
    """
    if documents_only:
        return IrgCategory.DOCUMENTS
    if value > low_value_ceiling:
        return IrgCategory.HIGH_VALUE
    if (gift and value <= gift_relief) or (value <= duty_de_minimis and value <= tax_de_minimis):
        return IrgCategory.LOW_VALUE_NON_DUTIABLE
    return IrgCategory.LOW_VALUE_DUTIABLE
