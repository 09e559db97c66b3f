"""Use cases of the revenue feature, for the API, the dashboard and the command line.

Plain functions taking the caller's `Connection` (where they need the database) and typed values; none
opens a transaction: the entrypoint does (`with engine.begin() as conn:`) and passes the connection.
The SQL is in `repository`, the rules in the pure modules (`calculation`, `engine`, `simulator`), the
postings in `ledger`. Errors are the feature's own, in `clearway.revenue.errors` (`EstimateError`,
`AccountError`, `UnknownAccount`, `RegistrationError`, `SimulationError`), each naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from clearway.revenue import accounts, collection, ledger, registrations, simulator
from clearway.revenue.engine import Estimate, EstimateRequest
from clearway.revenue.engine import estimate as estimate_parcel

# --- the public estimate ------------------------------------------------------------------------------


def estimate(request: EstimateRequest, fallback_duty_rate: Decimal) -> Estimate:
    """What a parcel will cost at its destination, explained (no database: consumers use it)."""
    return estimate_parcel(request, fallback_duty_rate)


# --- intermediary accounts ----------------------------------------------------------------------------


def open_account(conn: Connection, account: accounts.Account) -> accounts.Account:
    """Open one account; an id already used is an `AccountError` and nothing is stored."""
    accounts.open_accounts(conn, [account])
    return account


def accounts_with_balances(conn: Connection) -> list[tuple[accounts.Account, int]]:
    """Every account with its open balance in minor units, by id."""
    found = accounts.get_accounts(conn)
    balances = accounts.account_balances(conn, found.values())
    return [(a, balances[a.id]) for a in found.values()]


def account_with_balance(conn: Connection, account_id: str) -> tuple[accounts.Account, int]:
    """One account (`UnknownAccount` if there is none) with its open balance."""
    account = accounts.get_account(conn, account_id)
    return account, accounts.account_balances(conn, [account])[account.id]


def account_statement(conn: Connection, account_id: str, month: str) -> dict[str, Any]:
    """The monthly statement of an account (`month` as YYYY-MM)."""
    return accounts.statement(conn, account_id, month)


def pay_account(
    conn: Connection, account_id: str, amount: Decimal, at: dt.datetime | None, reference: str
) -> ledger.PostingSet:
    """A payment received on an intermediary account."""
    return accounts.pay(conn, account_id, amount, at, reference)


def adjust_account(
    conn: Connection, account_id: str, amount: Decimal, reason: str, at: dt.datetime | None
) -> ledger.PostingSet:
    """An officer's correction of an account: positive charges it, negative credits it."""
    return accounts.adjust(conn, account_id, amount, reason, at)


# --- buyer collection ---------------------------------------------------------------------------------


def payment_request(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any] | None:
    """What the buyer (or carrier) must pay before release, or None when there is no such shipment."""
    return collection.payment_request(conn, shipment_id)


# --- vendor registrations -----------------------------------------------------------------------------


def load_registrations(conn: Connection, regs: Sequence[registrations.Registration]) -> int:
    """Store registrations, replacing those with the same number."""
    return registrations.upsert(conn, regs)


def find_registration(conn: Connection, number: str) -> registrations.Registration | None:
    return registrations.lookup(conn, [number]).get(registrations.normalise(number))


def revoke_registration(conn: Connection, number: str, at: dt.datetime) -> registrations.Registration:
    """Revoke a registration from `at`; LookupError when the registry does not hold the number."""
    return registrations.revoke(conn, number, at)


def check_registrations(
    conn: Connection, uses: Sequence[registrations.RegistrationUse]
) -> list[registrations.RegistrationFinding]:
    """Misuse findings for consignments declared under registration numbers."""
    return registrations.check_registrations(conn, uses)


# --- the de minimis simulator -------------------------------------------------------------------------


def simulate_de_minimis(
    conn: Connection, policy: simulator.Policy, fallback_duty_rate: Decimal
) -> dict[str, Any]:
    """The stored traffic of the policy's jurisdiction and period re-assessed under its thresholds."""
    return simulator.simulate(conn, policy, fallback_rate=fallback_duty_rate)
