"""Packaged reference data (HS, ISO codes, UN/LOCODE, ECB rates, EU tariff and VAT, risk tables).

Every table is read from ``data/`` on first use and kept for the life of the process; lookups are
dict or bisect based. Sources and licences: ``data/README.md``.
"""

from clearway.reference.geo import EU_MEMBER_STATES, Locode, country_name, is_country, locode
from clearway.reference.hs import HsEntry, hs_chapter, hs_heading, hs_is_valid, hs_section_of, hs_subheading
from clearway.reference.money import is_currency, minor_units
from clearway.reference.rates import eur_rate
from clearway.reference.risk import ProhibitedEntry, prohibited_status, reference_unit_value
from clearway.reference.tariff import TariffRate, eu_cet_rate
from clearway.reference.vat import eu_standard_vat_rate

__all__ = [
    "EU_MEMBER_STATES",
    "HsEntry",
    "Locode",
    "ProhibitedEntry",
    "TariffRate",
    "country_name",
    "eu_cet_rate",
    "eu_standard_vat_rate",
    "eur_rate",
    "hs_chapter",
    "hs_heading",
    "hs_is_valid",
    "hs_section_of",
    "hs_subheading",
    "is_country",
    "is_currency",
    "locode",
    "minor_units",
    "prohibited_status",
    "reference_unit_value",
]
