"""Intermediary collection model: deferred-payment accounts of carriers, posts and marketplaces.

A shipment filed under the intermediary model is released *on account* when its duties and taxes fit
under the account's credit limit (or guarantee): the assessment is then charged to the account in the
ledger at release time. When the open balance plus the shipment's dues would exceed the limit, it is
not secured: the shipment is held for payment like a buyer-model one until someone pays it. The
account is the declaration's `fiscal.deferred_payment_account` when it names one, else the account of
the filer's party id.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Connection

from clearway.kit.csvsafe import safe_dict
from clearway.reference import is_currency
from clearway.reference.money import format_minor, from_minor, to_minor
from clearway.revenue import ledger, repository
from clearway.revenue.errors import AccountError, UnknownAccount


class AccountKind(StrEnum):
    CARRIER = "carrier"
    POST = "post"
    MARKETPLACE = "marketplace"


class LimitKind(StrEnum):
    CREDIT = "credit"  # a credit line granted by customs
    GUARANTEE = "guarantee"  # a guarantee lodged by the holder (bank or insurance)


_ID = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,34}")


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    party_id: str
    name: str
    kind: AccountKind
    currency: str
    limit_kind: LimitKind
    limit_minor: int

    def as_dict(self, balance_minor: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "party_id": self.party_id,
            "name": self.name,
            "kind": self.kind.value,
            "currency": self.currency,
            "limit_kind": self.limit_kind.value,
            "limit": format_minor(self.limit_minor, self.currency),
        }
        if balance_minor is not None:
            out["balance"] = format_minor(balance_minor, self.currency)
            out["available"] = format_minor(self.limit_minor - balance_minor, self.currency)
        return out


def parse_account(data: dict[str, Any]) -> Account:
    """An account from loose input (API body, CLI options); errors name the field."""

    def text(name: str, limit: int) -> str:
        value = str(data.get(name) or "").strip()
        if not value:
            raise AccountError(name, "is required")
        if len(value) > limit:
            raise AccountError(name, f"is longer than {limit} characters")
        return value

    account_id = text("id", 35).upper()
    if not _ID.fullmatch(account_id):
        raise AccountError("id", "use letters, digits, '.', '_' or '-' (up to 35)")
    try:
        kind = AccountKind(str(data.get("kind", "")))
    except ValueError as exc:
        raise AccountError("kind", f"one of {', '.join(k.value for k in AccountKind)}") from exc
    try:
        limit_kind = LimitKind(str(data.get("limit_kind", "credit")))
    except ValueError as exc:
        raise AccountError("limit_kind", f"one of {', '.join(k.value for k in LimitKind)}") from exc
    currency = text("currency", 3).upper()
    if not is_currency(currency):
        raise AccountError("currency", f"'{currency}' is not an ISO 4217 currency")
    try:
        limit = Decimal(str(data.get("limit", "")))
    except InvalidOperation as exc:
        raise AccountError("limit", "a decimal amount, e.g. 50000.00") from exc
    if not limit.is_finite() or limit < 0 or limit > Decimal("1e13"):
        raise AccountError("limit", "must be between 0 and 10,000,000,000,000")
    return Account(
        account_id,
        text("party_id", 40),
        text("name", 70),
        kind,
        currency,
        limit_kind,
        to_minor(limit, currency),
    )


def open_accounts(conn: Connection, accounts: Sequence[Account], now: dt.datetime | None = None) -> int:
    """Store new accounts in one insert; an id already used is an error and nothing is stored."""
    now = now or dt.datetime.now(dt.UTC)
    ids = [a.id for a in accounts]
    if len(set(ids)) != len(ids):
        raise AccountError("id", "the same account id twice in one request")
    taken = repository.taken_account_ids(conn, ids)
    if taken:
        raise AccountError("id", f"account {', '.join(sorted(taken))} already exists")
    repository.insert_accounts(
        conn,
        [
            {
                "id": a.id,
                "party_id": a.party_id,
                "name": a.name,
                "kind": a.kind.value,
                "currency": a.currency,
                "limit_kind": a.limit_kind.value,
                "limit_minor": a.limit_minor,
                "created_at": now,
            }
            for a in accounts
        ],
    )
    return len(accounts)


def _account(row: Any) -> Account:
    return Account(
        row.id,
        row.party_id,
        row.name,
        AccountKind(row.kind),
        row.currency,
        LimitKind(row.limit_kind),
        row.limit_minor,
    )


def get_accounts(
    conn: Connection, ids: Iterable[str] | None = None, lock: bool = False
) -> dict[str, Account]:
    return {r.id: _account(r) for r in repository.account_rows(conn, ids, lock)}


def get_account(conn: Connection, account_id: str) -> Account:
    found = get_accounts(conn, [account_id.upper()])
    if not found:
        raise UnknownAccount(f"no account '{account_id}'")
    return next(iter(found.values()))


def account_balances(conn: Connection, accounts: Iterable[Account]) -> dict[str, int]:
    by_name = {ledger.account_receivable(a.id): a.id for a in accounts}
    return {by_name[k]: v for k, v in ledger.balances(conn, by_name).items()}


# Release on account ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shipment:
    id: uuid.UUID
    filer: str
    collection_model: str
    currency: str
    due_minor: int
    account_ref: str | None


def _shipments(conn: Connection, ids: Sequence[uuid.UUID]) -> list[_Shipment]:
    rows = repository.shipments_to_charge(conn, ids)
    order = {sid: k for k, sid in enumerate(ids)}
    out = [
        _Shipment(
            r.id,
            r.filer,
            r.collection_model,
            r.revenue_currency,
            r.due_at_border_minor,
            r.account_ref,
        )
        for r in rows
    ]
    return sorted(out, key=lambda s: order[s.id])


def _border_lines(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    return repository.border_lines(conn, ids)


def _resolve(conn: Connection, ships: Sequence[_Shipment], lock: bool) -> dict[uuid.UUID, Account]:
    """The account each intermediary-model shipment is filed for (by reference) or by (filer)."""
    refs = {s.account_ref.upper() for s in ships if s.account_ref}
    filers = {s.filer for s in ships}
    rows = [_account(r) for r in repository.account_rows_for(conn, refs, filers, lock)]
    by_id = {a.id: a for a in rows}
    by_party: dict[str, Account] = {}
    for a in rows:
        by_party.setdefault(a.party_id, a)
    out: dict[uuid.UUID, Account] = {}
    for s in ships:
        account = by_id.get(s.account_ref.upper()) if s.account_ref else by_party.get(s.filer)
        if account is not None:
            out[s.id] = account
    return out


def _on_account(position: ledger.ShipmentPostings | None) -> bool:
    return (
        position is not None
        and position.revenue_account is not None
        and not position.refunded
        and (position.receivable or "").startswith("receivable:account:")
    )


def secured_on_account(conn: Connection, shipment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """Whether each shipment's dues are already charged to an intermediary account (read only)."""
    postings = ledger.shipment_postings(conn, shipment_ids)
    return {sid: _on_account(postings.get(sid)) for sid in shipment_ids}


def secure_on_account(
    conn: Connection, shipment_ids: Sequence[uuid.UUID], at: dt.datetime | None = None
) -> dict[uuid.UUID, bool]:
    """Charge intermediary-model shipments to their accounts, in the order given, while they fit under
    the account's limit; True for each shipment released on account (already or now).

    False for a shipment of another collection model, with no account, in another currency than its
    account, already assessed to someone else, or whose dues would take the open balance above the
    limit. All charges are posted with one bulk insert in the caller's transaction."""
    at = at or dt.datetime.now(dt.UTC)
    result = dict.fromkeys(shipment_ids, False)
    ships = _shipments(conn, shipment_ids)
    candidates = [s for s in ships if s.collection_model == "intermediary"]
    if not candidates:
        return result
    existing = ledger.shipment_postings(conn, [s.id for s in candidates])
    accounts = _resolve(conn, candidates, lock=True)
    balance = account_balances(conn, {a.id: a for a in accounts.values()}.values())
    lines = _border_lines(conn, [s.id for s in candidates])
    postings: list[ledger.PostingSet] = []
    for s in candidates:
        if _on_account(existing.get(s.id)):
            result[s.id] = True
            continue
        account = accounts.get(s.id)
        if s.id in existing or account is None or account.currency != s.currency:
            continue
        if balance[account.id] + s.due_minor > account.limit_minor:
            continue
        balance[account.id] += s.due_minor
        result[s.id] = True
        if s.due_minor:
            postings.append(
                ledger.assessment(
                    s.id,
                    s.currency,
                    lines[s.id],
                    ledger.account_receivable(account.id),
                    at,
                    account.id,
                    f"released on account {account.id}",
                )
            )
    ledger.post(conn, postings)
    return result


# Payments, adjustments and statements ------------------------------------------------------------------


# Far above any account's movements, far below what a 64-bit column holds.
MAX_AMOUNT_MINOR = 10**13


def money_amount(amount: Decimal, currency: str) -> int:
    """`amount` in minor units: exact in the currency's minor unit and within bounds, or refused with
    the field named (never rounded away, never a number the ledger cannot hold)."""
    if amount.adjusted() > 15:  # beyond the bound, and beyond what Decimal's context quantizes
        raise AccountError("amount", f"{amount} is above the largest amount accepted")
    minor = to_minor(amount, currency)
    if from_minor(minor, currency) != amount:
        raise AccountError("amount", f"{amount} has more decimals than {currency} has (its minor unit)")
    if minor > MAX_AMOUNT_MINOR:
        raise AccountError(
            "amount",
            f"{amount} is above the largest amount accepted ({from_minor(MAX_AMOUNT_MINOR, currency)})",
        )
    return minor


def pay(
    conn: Connection, account_id: str, amount: Decimal, at: dt.datetime | None = None, reference: str = ""
) -> ledger.PostingSet:
    account = get_account(conn, account_id)
    if not amount.is_finite() or amount <= 0:
        raise AccountError("amount", "a payment must be a positive amount")
    minor = money_amount(amount, account.currency)
    posting = ledger.payment(
        minor,
        account.currency,
        ledger.account_receivable(account.id),
        at or dt.datetime.now(dt.UTC),
        reference or f"payment on account {account.id}",
        revenue_account=account.id,
    )
    ledger.post(conn, [posting])
    return posting


def adjust(
    conn: Connection, account_id: str, amount: Decimal, reason: str, at: dt.datetime | None = None
) -> ledger.PostingSet:
    account = get_account(conn, account_id)
    if not reason.strip():
        raise AccountError("reason", "an adjustment needs a reason")
    if not amount.is_finite() or amount == 0:
        raise AccountError("amount", "an adjustment must be a non-zero amount")
    money_amount(abs(amount), account.currency)
    posting = ledger.adjustment(
        account.id,
        to_minor(amount, account.currency),
        account.currency,
        at or dt.datetime.now(dt.UTC),
        reason,
    )
    ledger.post(conn, [posting])
    return posting


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        start = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise AccountError("month", f"'{month}' is not a month as YYYY-MM") from exc
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


STATEMENT_COLUMNS = ("date", "kind", "shipment_id", "reference", "debit", "credit", "balance")


def statement(conn: Connection, account_id: str, month: str) -> dict[str, Any]:
    """Monthly statement of an account: opening balance, every charge, payment, refund and adjustment
    of the month with the running balance, totals by kind and the closing balance."""
    account = get_account(conn, account_id)
    start, end = month_bounds(month)
    name = ledger.account_receivable(account.id)
    opening = repository.balance_before(conn, name, start)
    rows = repository.entries_between(conn, name, start, end)
    cur = account.currency
    balance = int(opening)
    totals: dict[str, int] = dict.fromkeys((k.value for k in ledger.PostingKind), 0)
    lines = []
    for r in rows:
        balance += r.amount_minor
        totals[r.kind] += r.amount_minor
        at = r.posted_at if r.posted_at.tzinfo else r.posted_at.replace(tzinfo=dt.UTC)
        lines.append(
            {
                "date": at.date().isoformat(),
                "kind": r.kind,
                "shipment_id": str(r.shipment_id) if r.shipment_id else "",
                "reference": r.reference,
                "debit": format_minor(r.amount_minor, cur) if r.amount_minor > 0 else "",
                "credit": format_minor(-r.amount_minor, cur) if r.amount_minor < 0 else "",
                "balance": format_minor(balance, cur),
            }
        )
    return {
        "account": account.as_dict(),
        "month": month,
        "currency": cur,
        "opening_balance": format_minor(int(opening), cur),
        "lines": lines,
        "totals": {k: format_minor(v, cur) for k, v in totals.items()},
        "closing_balance": format_minor(balance, cur),
        "available": format_minor(account.limit_minor - balance, cur),
    }


def statement_csv(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    month = doc["month"]
    writer.writerow({"date": f"{month}-01", "kind": "opening", "balance": doc["opening_balance"]})
    writer.writerows(safe_dict(line) for line in doc["lines"])
    writer.writerow({"kind": "closing", "balance": doc["closing_balance"]})
    return out.getvalue()


def on_account_at(conn: Connection, shipment_id: uuid.UUID, at: dt.datetime, *, secure: bool) -> bool:
    """For the clearance service: at arrival (`secure`) charge the shipment to its account if it fits;
    at any other event only tell whether it already was."""
    if secure:
        return secure_on_account(conn, [shipment_id], at)[shipment_id]
    return secured_on_account(conn, [shipment_id])[shipment_id]
