"""The vectorised batch path gives the scalar `assess` amounts and collections, line for line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.reference.jurisdictions import profile, profile_for
from clearway.revenue.batch import BORDER, CHECKOUT, CODE, RELIEVED, Batch, assess_batch
from clearway.revenue.calculation import Consignment, Item, RevenueAssessment, TaxType
from clearway.revenue.engine import assess_for

DESTS = ["DE", "FR", "GB", "US", "AU", "CA", "CN"]
HS = ["610910", "6109100010", "851830", "640299", "420222", "950300", "330499", "0402999000"]
DATES = [dt.date(2024, 7, 4), dt.date(2025, 5, 2), dt.date(2025, 9, 1), dt.date(2026, 11, 27)]

consignment = st.fixed_dictionaries(
    {
        "dest": st.sampled_from(DESTS),
        "on": st.sampled_from(DATES),
        "values": st.lists(st.integers(min_value=0, max_value=700_000), min_size=1, max_size=3),
        "hs": st.lists(st.sampled_from(HS), min_size=3, max_size=3),
        "transport": st.sampled_from([0, 499, 1500]),
        "gift": st.booleans(),
        "registered": st.booleans(),
        "channel": st.sampled_from(["courier", "post"]),
        "origin": st.sampled_from(["CN", "US", "GB"]),
    }
)


def batch_of(cs: list[dict[str, Any]]) -> Batch:
    offsets, codes, values = [0], [], []
    for c in cs:
        vs = list(c["values"])
        codes += list(c["hs"])[: len(vs)]
        values += vs
        offsets.append(len(codes))
    return Batch(
        [profile_for(str(c["dest"])).id for c in cs],
        [str(c["dest"]) for c in cs],
        [c["on"] for c in cs],
        np.array([c["transport"] for c in cs], dtype=np.int64),
        np.array([c["gift"] for c in cs]),
        np.array([c["registered"] for c in cs]),
        [str(c["channel"]) for c in cs],
        [str(c["origin"]) for c in cs],
        np.array(offsets, dtype=np.int64),
        codes,
        np.array(values, dtype=np.int64),
    )


def scalar_assessment(b: Batch, k: int, c: dict[str, Any]) -> RevenueAssessment:
    """Consignment `k` of the batch, as drawn (`c`), assessed on the scalar path."""
    lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
    items = [
        Item(i - lo + 1, b.hs_code[i], Decimal(int(b.value_minor[i])) / 100, Decimal(0))
        for i in range(lo, hi)
    ]
    return assess_for(
        Consignment(
            str(c["dest"]),
            sum((i.value for i in items), Decimal(0)),
            Decimal(int(c["transport"])) / 100,
            items,
            bool(c["gift"]),
            False,
            "X" if c["registered"] else None,
            shipped_from=str(c["origin"]),
            channel=str(c["channel"]),
        ),
        profile(b.jurisdiction[k]),
        c["on"],
    )


@given(st.lists(consignment, min_size=1, max_size=12))
@settings(max_examples=120, deadline=None)
def test_batch_equals_scalar(cs: list[dict[str, Any]]) -> None:
    for c in cs:  # the scalar path shares transport exactly; the batch in whole cents: compare without
        if len(c["values"]) > 1:
            c["transport"] = 0
    b = batch_of(cs)
    r = assess_batch(b)
    for k, c in enumerate(cs):
        lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
        a = scalar_assessment(b, k, c)
        duty = {
            x.item_seq: (x.amount_minor, CODE[x.collection]) for x in a.lines if x.tax_type is TaxType.DUTY
        }
        taxes: dict[int | None, int] = {}
        for x in a.lines:
            if x.tax_type not in (TaxType.DUTY, TaxType.FLAT_DUTY):
                taxes[x.item_seq] = taxes.get(x.item_seq, 0) + x.amount_minor
        tax_coll = {
            x.item_seq: CODE[x.collection] for x in a.lines if x.tax_type in (TaxType.VAT, TaxType.GST)
        }
        flat = [x for x in a.lines if x.tax_type is TaxType.FLAT_DUTY]
        for seq, i in enumerate(range(lo, hi), start=1):
            want_duty = duty.get(seq, (0, RELIEVED))
            assert (int(r.duty_minor[i]), int(r.duty_collection[i])) == want_duty
            assert int(r.tax_minor[i]) == taxes.get(seq, 0)
            assert int(r.tax_collection[i]) == tax_coll.get(seq, RELIEVED)
        assert int(r.flat_duty_minor[k]) == (flat[0].amount_minor if flat else 0)
        assert int(r.flat_collection[k]) == (CODE[flat[0].collection] if flat else RELIEVED)
        assert r.total_minor() >= 0
    assert set(np.unique(r.tax_collection).tolist()) <= {BORDER, CHECKOUT, RELIEVED}


def test_batch_by_hand_eu_flat_and_us() -> None:
    # DE 2026-11-27: 25.00 + 15.00, two sub-headings: flat 6.00; VAT (25 + 3.75) x .19 = 5.4625 -> 5.46,
    # (15 + 2.25) x .19 = 3.2775 -> 3.28. US 2025-09-01: 100.00 x 16.5 % = 16.50, no tax.
    b = Batch(
        ["EU", "US"],
        ["DE", "US"],
        [dt.date(2026, 11, 27), dt.date(2025, 9, 1)],
        np.array([0, 0]),
        np.array([False, False]),
        np.array([False, False]),
        ["courier", "courier"],
        ["CN", "CN"],
        np.array([0, 2, 3]),
        ["610910", "851830", "6109100010"],
        np.array([2500, 1500, 10000]),
    )
    r = assess_batch(b)
    assert r.flat_duty_minor.tolist() == [600, 0]
    assert r.tax_minor.tolist() == [546, 328, 0]
    assert r.duty_minor.tolist() == [0, 0, 1650]
    assert r.total_minor() == 600 + 546 + 328 + 1650
    assert not r.scalar.any()
