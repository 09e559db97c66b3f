"""The double-entry ledger's posting sets (pure): balance per currency, refunds equal payments."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway.revenue import ledger
from clearway.revenue.errors import UnbalancedPosting
from clearway.revenue.ledger import CASH, Entry, PostingKind, PostingSet, check_balanced

AT = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
SID = uuid.UUID("01930000-0000-7000-8000-000000000001")

amounts = st.integers(min_value=0, max_value=10**9)
assessed = st.dictionaries(st.sampled_from(["duty", "flat_duty", "vat", "gst"]), amounts, min_size=1)
payments = st.lists(st.integers(min_value=1, max_value=10**9), max_size=6)
receivables = st.sampled_from([ledger.BUYER_RECEIVABLE, ledger.account_receivable("DHL-DE-1")])


def _totals(postings: list[PostingSet]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for p in postings:
        for e in p.entries:
            totals[e.ledger_account] += e.amount_minor
    return dict(totals)


def test_assessment_debits_the_payer_and_credits_revenue_by_type() -> None:
    p = ledger.assessment(SID, "EUR", {"vat": 874, "flat_duty": 600}, ledger.BUYER_RECEIVABLE, AT)
    assert [(e.ledger_account, e.amount_minor, e.tax_type) for e in p.entries] == [
        ("receivable:buyer", 1474, None),
        ("revenue:flat_duty", -600, "flat_duty"),
        ("revenue:vat", -874, "vat"),
    ]
    assert p.kind is PostingKind.ASSESSMENT and p.shipment_id == SID


def test_nothing_due_is_no_posting() -> None:
    assert ledger.assessment(SID, "EUR", {"vat": 0}, ledger.BUYER_RECEIVABLE, AT).entries == ()


def test_an_unbalanced_set_is_refused_naming_currency_and_difference() -> None:
    bad = PostingSet(
        PostingKind.ADJUSTMENT,
        (Entry("receivable:buyer", 100, "EUR"), Entry("revenue:vat", -99, "EUR"), Entry(CASH, 5, "GBP")),
        AT,
        "typo",
    )
    with pytest.raises(UnbalancedPosting, match=r"EUR \+1, GBP \+5"):
        check_balanced(bad)


def test_payments_and_adjustments_reject_non_amounts() -> None:
    with pytest.raises(ValueError, match="amount"):
        ledger.payment(0, "EUR", CASH, AT, "zero")
    with pytest.raises(ValueError, match="amount"):
        ledger.adjustment("A", 0, "EUR", AT, "nothing")


def test_refund_of_an_on_account_shipment_credits_the_account() -> None:
    """Nothing was paid for it at the border: the refund is the reversal of the charge."""
    receivable = ledger.account_receivable("POST-1")
    charge = ledger.assessment(SID, "EUR", {"vat": 500}, receivable, AT, "POST-1")
    refund = ledger.refund(SID, "EUR", 0, {"vat": 500}, receivable, AT, "POST-1")
    assert [(e.ledger_account, e.amount_minor) for e in refund.entries] == [
        ("revenue:vat", 500),
        ("receivable:account:POST-1", -500),
    ]
    assert _totals([charge, refund]) == {"receivable:account:POST-1": 0, "revenue:vat": 0}


@given(assessed=assessed, paid=payments, receivable=receivables)
def test_every_posting_set_balances_and_a_return_refunds_exactly_what_was_paid(
    assessed: dict[str, int], paid: list[int], receivable: str
) -> None:
    postings = [ledger.assessment(SID, "EUR", assessed, receivable, AT)]
    postings += [ledger.payment(a, "EUR", receivable, AT, f"p{k}", SID) for k, a in enumerate(paid)]
    postings.append(ledger.refund(SID, "EUR", sum(paid), assessed, receivable, AT))
    for p in postings:
        if p.entries:
            check_balanced(p)  # raises if any set does not sum to zero
    refunds = postings[-1]
    cash_out = -sum(e.amount_minor for e in refunds.entries if e.ledger_account == CASH)
    assert cash_out == sum(paid)  # refunds equal payments
    totals = _totals(postings)
    # After the return nothing is owed, nothing is kept and no revenue remains.
    assert all(v == 0 for v in totals.values()), totals


@given(st.lists(st.tuples(st.sampled_from(["EUR", "GBP", "USD"]), st.integers(-(10**9), 10**9)), min_size=1))
def test_imbalance_is_the_sum_per_currency(entries: list[tuple[str, int]]) -> None:
    p = PostingSet(PostingKind.ADJUSTMENT, tuple(Entry("x", a, c) for c, a in entries), AT, "t")
    expected: dict[str, int] = defaultdict(int)
    for c, a in entries:
        expected[c] += a
    assert p.imbalance() == {c: s for c, s in expected.items() if s}
