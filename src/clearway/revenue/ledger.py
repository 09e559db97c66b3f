"""Double-entry ledger of duties and taxes: assessment, payment, refund and adjustment postings.

Every posting set is a list of signed entries (debit positive, credit negative) in integer minor units
that sums to zero per currency; `post` checks every set of a batch before writing any, and writes the
whole batch with one bulk insert, so a caller's transaction either holds all of it or none of it.

Ledger accounts are plain names:

- ``receivable:account:<ID>`` what an intermediary (carrier, post, marketplace) owes on its account,
- ``receivable:buyer`` what buyers owe for shipments held for payment (per shipment via ``shipment_id``),
- ``revenue:<tax type>`` duty, flat duty, VAT… assessed (credit balance),
- ``revenue:adjustment`` corrections by an officer,
- ``cash`` what customs received (debit) or paid back (credit).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Connection

from clearway.kit.ids import uuid7
from clearway.revenue import repository
from clearway.revenue.errors import UnbalancedPosting
from clearway.revenue.repository import CHUNK, chunks

CASH = "cash"
BUYER_RECEIVABLE = "receivable:buyer"
ADJUSTMENTS = "revenue:adjustment"


def account_receivable(account_id: str) -> str:
    return f"receivable:account:{account_id}"


def revenue(tax_type: str) -> str:
    return f"revenue:{tax_type}"


class PostingKind(StrEnum):
    ASSESSMENT = "assessment"
    PAYMENT = "payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class Entry:
    ledger_account: str
    amount_minor: int  # debit positive, credit negative
    currency: str
    tax_type: str | None = None


@dataclass(frozen=True, slots=True)
class PostingSet:
    kind: PostingKind
    entries: tuple[Entry, ...]
    at: dt.datetime
    reference: str
    shipment_id: uuid.UUID | None = None
    revenue_account: str | None = None
    id: uuid.UUID = field(default_factory=uuid7)

    def imbalance(self) -> dict[str, int]:
        """Sum of the entries per currency, where it is not zero."""
        sums: dict[str, int] = defaultdict(int)
        for e in self.entries:
            sums[e.currency] += e.amount_minor
        return {c: s for c, s in sums.items() if s != 0}


def check_balanced(posting: PostingSet) -> None:
    off = posting.imbalance()
    if off:
        detail = ", ".join(f"{c} {s:+d}" for c, s in sorted(off.items()))
        raise UnbalancedPosting(
            f"{posting.kind} posting '{posting.reference}' does not balance (minor units off: {detail})"
        )
    if not posting.entries:
        raise UnbalancedPosting(f"{posting.kind} posting '{posting.reference}' has no entries")


# Posting sets (pure) -------------------------------------------------------------------------------


def assessment(
    shipment_id: uuid.UUID,
    currency: str,
    by_tax_type: Mapping[str, int],
    receivable: str,
    at: dt.datetime,
    revenue_account: str | None = None,
    reference: str = "",
) -> PostingSet:
    """The duties and taxes due at the border become a claim: debit the payer, credit revenue by type."""
    amounts = {t: a for t, a in sorted(by_tax_type.items()) if a}
    entries: list[Entry] = []
    if amounts:  # nothing due is no claim: an empty set, which callers leave out
        entries.append(Entry(receivable, sum(amounts.values()), currency))
        entries += [Entry(revenue(t), -a, currency, t) for t, a in amounts.items()]
    return PostingSet(
        PostingKind.ASSESSMENT,
        tuple(entries),
        at,
        reference or f"assessment {shipment_id}",
        shipment_id,
        revenue_account,
    )


def payment(
    amount_minor: int,
    currency: str,
    receivable: str,
    at: dt.datetime,
    reference: str,
    shipment_id: uuid.UUID | None = None,
    revenue_account: str | None = None,
) -> PostingSet:
    if amount_minor <= 0:
        raise ValueError(f"amount: a payment must be positive, got {amount_minor} minor units")
    entries = (Entry(CASH, amount_minor, currency), Entry(receivable, -amount_minor, currency))
    return PostingSet(PostingKind.PAYMENT, entries, at, reference, shipment_id, revenue_account)


def refund(
    shipment_id: uuid.UUID,
    currency: str,
    paid_minor: int,
    assessed: Mapping[str, int],
    receivable: str,
    at: dt.datetime,
    revenue_account: str | None = None,
) -> PostingSet:
    """A return: the assessment is reversed (revenue debited, the payer credited) and what was paid for
    the shipment goes back out of cash (the payer debited again), so the payer ends at zero."""
    entries: list[Entry] = []
    if paid_minor:
        entries += [Entry(CASH, -paid_minor, currency), Entry(receivable, paid_minor, currency)]
    amounts = {t: a for t, a in sorted(assessed.items()) if a}
    if amounts:
        entries += [Entry(revenue(t), a, currency, t) for t, a in amounts.items()]
        entries.append(Entry(receivable, -sum(amounts.values()), currency))
    return PostingSet(
        PostingKind.REFUND, tuple(entries), at, f"return {shipment_id}", shipment_id, revenue_account
    )


def adjustment(account_id: str, amount_minor: int, currency: str, at: dt.datetime, reason: str) -> PostingSet:
    """An officer's correction of an account: positive charges it, negative credits it."""
    if amount_minor == 0:
        raise ValueError("amount: an adjustment of zero changes nothing")
    entries = (
        Entry(account_receivable(account_id), amount_minor, currency),
        Entry(ADJUSTMENTS, -amount_minor, currency),
    )
    return PostingSet(PostingKind.ADJUSTMENT, entries, at, reason, None, account_id)


# Storage (the queries are in `repository`) -------------------------------------------------------------

__all__ = ["CHUNK", "chunks"]  # re-exported: the id chunks of every IN list of the feature


def post(conn: Connection, postings: Sequence[PostingSet]) -> int:
    """Write a batch of posting sets with one bulk insert, after checking every one balances.

    Run it inside the caller's transaction: an error anywhere leaves nothing posted."""
    for p in postings:
        check_balanced(p)
    rows: list[tuple[Any, ...]] = [
        (p.id, p.kind.value, e.ledger_account, p.revenue_account, p.shipment_id, e.tax_type, e.currency,
         e.amount_minor, p.reference[:140], p.at)
        for p in postings
        for e in p.entries
    ]  # fmt: skip
    repository.insert_ledger_entries(conn, rows)
    return len(rows)


def balances(conn: Connection, ledger_accounts: Iterable[str]) -> dict[str, int]:
    """Balance (debit positive) of each named ledger account; 0 for one without entries."""
    names = sorted(set(ledger_accounts))
    out = dict.fromkeys(names, 0)
    out.update(repository.ledger_balances(conn, names))
    return out


@dataclass(frozen=True, slots=True)
class ShipmentPostings:
    """What the ledger holds for one shipment."""

    assessed: dict[str, int]  # by tax type, net of reversals
    paid_minor: int  # payments received for it, net of refunds
    receivable: str | None  # the ledger account its assessment was charged to
    revenue_account: str | None
    refunded: bool


def shipment_postings(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ShipmentPostings]:
    """The ledger position of each shipment that has entries (one query per 4,000 shipments)."""
    acc: dict[uuid.UUID, dict[str, Any]] = {}
    for sid, kind, ledger_account, revenue_account, tax_type, amount in repository.shipment_ledger_entries(
        conn, ids
    ):
        a = acc.setdefault(
            sid, {"assessed": defaultdict(int), "paid": 0, "receivable": None, "account": None, "ref": False}
        )
        if tax_type is not None:
            a["assessed"][tax_type] -= amount  # revenue is a credit
        if ledger_account == CASH:
            a["paid"] += amount
        if kind == PostingKind.ASSESSMENT and ledger_account.startswith("receivable:"):
            a["receivable"], a["account"] = ledger_account, revenue_account
        if kind == PostingKind.REFUND:
            a["ref"] = True
    return {
        sid: ShipmentPostings(
            {t: v for t, v in a["assessed"].items() if v}, a["paid"], a["receivable"], a["account"], a["ref"]
        )
        for sid, a in acc.items()
    }
