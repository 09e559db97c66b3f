"""Every query of the revenue feature: accounts, the ledger, vendor registrations, payment requests and the
stored traffic the de minimis simulator reads. Nothing else in `clearway.revenue` writes SQL.

Functions take the caller's `Connection` and never open a transaction of their own. Rows come back as
SQLAlchemy rows or plain values; the feature's modules (`accounts`, `ledger`, `registrations`,
`collection`, `simulator`) make domain objects of them. The shipments and their tax lines are the
declarations feature's tables, read here for what revenue needs of them (imported where used, as the
rest of the feature does).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import polars as pl
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.engine import Connection

from clearway.kit.bulk import insert_dicts, insert_rows
from clearway.revenue.tables import ledger_entries, registrations, revenue_accounts

CHUNK = 4000  # ids per IN list: far below SQLite's limit of 32,766 host parameters


def chunks(ids: Sequence[Any]) -> Iterator[list[Any]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


# --- intermediary accounts ----------------------------------------------------------------------------


def taken_account_ids(conn: Connection, ids: Sequence[str]) -> list[str]:
    return list(conn.execute(select(revenue_accounts.c.id).where(revenue_accounts.c.id.in_(ids))).scalars())


def insert_accounts(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    insert_dicts(conn, revenue_accounts, rows)


def account_rows(conn: Connection, ids: Iterable[str] | None = None, lock: bool = False) -> list[Any]:
    query = select(revenue_accounts).order_by(revenue_accounts.c.id)
    if ids is not None:
        query = query.where(revenue_accounts.c.id.in_(sorted(set(ids))))
    if lock:
        # Two releases on the same account at once must not both fit under its limit (PostgreSQL).
        query = query.with_for_update()
    return list(conn.execute(query))


def account_rows_for(conn: Connection, refs: Iterable[str], parties: Iterable[str], lock: bool) -> list[Any]:
    """Accounts named by id (a declaration's account reference) or held by a party (the filer)."""
    query = select(revenue_accounts).where(
        revenue_accounts.c.id.in_(sorted(set(refs))) | revenue_accounts.c.party_id.in_(sorted(set(parties)))
    )
    if lock:
        query = query.with_for_update()
    return list(conn.execute(query.order_by(revenue_accounts.c.id)))


def shipments_to_charge(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Any]:
    """Per shipment: filer, collection model, currency, dues and the declaration's account reference."""
    from clearway.declarations.tables import shipments

    s = shipments.c
    return [
        row
        for chunk in chunks(ids)
        for row in conn.execute(
            select(
                s.id,
                s.filer,
                s.collection_model,
                s.revenue_currency,
                s.due_at_border_minor,
                # only the account reference, not the whole declaration (json_extract / #>>)
                s.declaration[("fiscal", "deferred_payment_account")].as_string().label("account_ref"),
            ).where(s.id.in_(chunk))
        )
    ]


def border_lines(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """What each shipment owes at the border, by tax type."""
    from clearway.declarations.tables import tax_lines

    t = tax_lines.c
    out: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for chunk in chunks(ids):
        rows = conn.execute(
            select(t.shipment_id, t.tax_type, func.sum(t.amount_minor))
            .where(t.shipment_id.in_(chunk), t.collection == "border")
            .group_by(t.shipment_id, t.tax_type)
        )
        for sid, tax_type, amount in rows:
            out[sid][tax_type] = int(amount)
    return out


# --- the ledger ---------------------------------------------------------------------------------------

LEDGER_COLUMNS = (
    "posting_id", "kind", "ledger_account", "revenue_account", "shipment_id", "tax_type", "currency",
    "amount_minor", "reference", "posted_at",
)  # fmt: skip


def insert_ledger_entries(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    insert_rows(conn, ledger_entries, LEDGER_COLUMNS, rows)


def ledger_balances(conn: Connection, names: Sequence[str]) -> dict[str, int]:
    """Balance (debit positive) of the named ledger accounts that have entries."""
    if not names:
        return {}
    e = ledger_entries.c
    rows = conn.execute(
        select(e.ledger_account, func.sum(e.amount_minor))
        .where(e.ledger_account.in_(names))
        .group_by(e.ledger_account)
    )
    return {name: int(total) for name, total in rows}


def shipment_ledger_entries(conn: Connection, ids: Sequence[uuid.UUID]) -> Iterator[Any]:
    """(shipment, kind, ledger account, revenue account, tax type, amount) in posting order."""
    e = ledger_entries.c
    for chunk in chunks(ids):
        yield from conn.execute(
            select(e.shipment_id, e.kind, e.ledger_account, e.revenue_account, e.tax_type, e.amount_minor)
            .where(e.shipment_id.in_(chunk))
            .order_by(e.id)
        )


def balance_before(conn: Connection, ledger_account: str, before: dt.datetime) -> int:
    e = ledger_entries.c
    query = select(func.coalesce(func.sum(e.amount_minor), 0)).where(
        e.ledger_account == ledger_account, e.posted_at < before
    )
    return int(conn.execute(query).scalar_one())


def entries_between(conn: Connection, ledger_account: str, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """(posted at, kind, shipment, reference, amount) of one ledger account in [start, end)."""
    e = ledger_entries.c
    return list(
        conn.execute(
            select(e.posted_at, e.kind, e.shipment_id, e.reference, e.amount_minor)
            .where(and_(e.ledger_account == ledger_account, e.posted_at >= start, e.posted_at < end))
            .order_by(e.posted_at, e.id)
        )
    )


# --- vendor registrations -----------------------------------------------------------------------------


def replace_registrations(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Delete the registrations with the rows' numbers and insert the rows (one bulk insert)."""
    numbers = [r["number"] for r in rows]
    for start in range(0, len(numbers), CHUNK):
        conn.execute(delete(registrations).where(registrations.c.number.in_(numbers[start : start + CHUNK])))
    insert_dicts(conn, registrations, rows)


def set_revoked(conn: Connection, number: str, at: dt.datetime) -> None:
    conn.execute(registrations.update().where(registrations.c.number == number).values(revoked_at=at))


def registration_rows(conn: Connection, numbers: Sequence[str]) -> Iterator[Any]:
    for start in range(0, len(numbers), CHUNK):
        yield from conn.execute(
            select(registrations).where(registrations.c.number.in_(numbers[start : start + CHUNK]))
        )


def registration_numbers(conn: Connection, limit: int) -> list[str]:
    query = select(registrations.c.number).order_by(registrations.c.number).limit(limit)
    return list(conn.execute(query).scalars())


def scheme_has_numbers(conn: Connection, scheme: str) -> bool:
    query = select(literal(1)).where(registrations.c.scheme == scheme).limit(1)
    return conn.execute(query).first() is not None


# --- payment requests ---------------------------------------------------------------------------------


def payment_position(conn: Connection, shipment_id: uuid.UUID) -> Any:
    """State, collection model, revenue currency, dues and what was paid of one shipment."""
    from clearway.declarations.tables import shipments

    s = shipments.c
    query = select(s.state, s.collection_model, s.revenue_currency, s.due_at_border_minor, s.paid_minor)
    return conn.execute(query.where(s.id == shipment_id)).first()


def revenue_currency(conn: Connection, shipment_id: uuid.UUID) -> str:
    from clearway.declarations.tables import shipments

    query = select(shipments.c.revenue_currency).where(shipments.c.id == shipment_id)
    return str(conn.execute(query).scalar_one())


# --- the stored traffic of the de minimis simulator ---------------------------------------------------

MICRO = 1_000_000  # tax rates are read in millionths
SHIP_SCHEMA: dict[str, pl.DataType] = {
    "sid": pl.String(),
    "irg_category": pl.Int64(),
    "value_minor": pl.Int64(),
    "collection_model": pl.String(),
    "revenue_currency": pl.String(),
    "day": pl.String(),
    "channel": pl.String(),
    "departure_country": pl.String(),
    "vendor_registration": pl.String(),
}
LINE_SCHEMA: dict[str, pl.DataType] = {
    "sid": pl.String(),
    "item_seq": pl.Int64(),
    "tax_type": pl.String(),
    "base_minor": pl.Int64(),
    "rate_micro": pl.Int64(),
    "amount_minor": pl.Int64(),
    "collection": pl.String(),
    "gift": pl.Boolean(),
}
GOODS_SCHEMA: dict[str, pl.DataType] = {
    "sid": pl.String(),
    "seq": pl.Int64(),
    "hs_code": pl.String(),
    "quantity": pl.String(),
    "unit": pl.String(),
    "net_mass_kg": pl.String(),
}


def _frame(conn: Connection, query: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    frame = pl.read_database(query, conn, infer_schema_length=None)
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


def _lodgement_day(conn: Connection, column: Any) -> ColumnElement[str]:
    """The UTC lodgement day as YYYY-MM-DD text: parsing a timestamp per row in Python costs more
    than the whole simulation."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(cast(column, String), 1, 10)  # SQLite keeps UTC times as ISO text


def stored_traffic(
    conn: Connection, jurisdiction: str, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The shipments of a jurisdiction lodged in [start, end), their tax lines and their goods items."""
    from clearway.declarations.tables import goods_items, shipments, tax_lines

    s = shipments.c
    where = and_(
        s.jurisdiction == jurisdiction,
        *([s.lodged_at >= start] if start else []),
        *([s.lodged_at < end] if end else [true()]),
    )
    ids = select(s.id).where(where).scalar_subquery()
    ships = _frame(
        conn,
        select(
            cast(s.id, String).label("sid"),
            s.irg_category,
            s.value_minor,
            s.collection_model,
            s.revenue_currency,
            _lodgement_day(conn, s.lodged_at).label("day"),
            s.channel,
            s.departure_country,
            s.declaration[("fiscal", "vendor_registration")].as_string().label("vendor_registration"),
        ).where(where),
        SHIP_SCHEMA,
    )
    t = tax_lines.c
    lines = _frame(
        conn,
        select(
            cast(t.shipment_id, String).label("sid"),
            t.item_seq,
            t.tax_type,
            t.base_minor,
            cast(func.round(t.rate * MICRO), BigInteger).label("rate_micro"),
            t.amount_minor,
            t.collection,
            case((t.legal_basis.ilike("%gift%"), 1), else_=0).label("gift"),
        ).where(t.shipment_id.in_(ids)),
        LINE_SCHEMA,
    )
    g = goods_items.c
    goods = _frame(
        conn,
        select(
            cast(g.shipment_id, String).label("sid"),
            g.seq,
            g.hs_code,
            cast(g.quantity, String).label("quantity"),
            g.unit,
            cast(g.net_mass_kg, String).label("net_mass_kg"),
        ).where(g.shipment_id.in_(ids)),
        GOODS_SCHEMA,
    )
    return ships.with_columns(pl.col("day").str.to_date("%Y-%m-%d")), lines, goods
