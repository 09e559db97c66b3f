"""Flat CSV layout for bulk files: one row per goods item, shipment columns repeated on each row.

Consecutive rows with the same `filer` and `lrn` form one shipment; its shipment-level columns are
read from its first row. Party columns are `<role>_<field>` (e.g. `seller_tin`), goods item columns
`item_<field>`. Empty cells mean "not given". The full column list is `COLUMNS`; docs/csv-layout.md
describes each one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from clearway.declarations.model import Address, Fiscal, GoodsItem, Parties, Party, Shipment

_NESTED = {"parties", "goods", "fiscal"}
SHIPMENT_COLUMNS = [name for name in Shipment.model_fields if name not in _NESTED]
PARTY_FIELDS = [name for name in Party.model_fields if name != "address"]
ADDRESS_FIELDS = list(Address.model_fields)
ROLES = list(Parties.model_fields)
FISCAL_COLUMNS = list(Fiscal.model_fields)
ITEM_FIELDS = list(GoodsItem.model_fields)

COLUMNS = [
    *SHIPMENT_COLUMNS,
    *FISCAL_COLUMNS,
    *(f"{role}_{f}" for role in ROLES for f in [*PARTY_FIELDS, *(f"address_{a}" for a in ADDRESS_FIELDS)]),
    *(f"item_{f}" for f in ITEM_FIELDS),
]


@dataclass(slots=True)
class CsvRecord:
    """One shipment assembled from its rows, or the error of a broken line."""

    line: int
    data: dict[str, Any] | None
    lines: list[int] = field(default_factory=list)
    error: str | None = None


def _given(row: dict[str, str], key: str) -> str | None:
    value = row.get(key)
    return value if value not in (None, "") else None


def _party(row: dict[str, str], role: str) -> dict[str, Any] | None:
    party: dict[str, Any] = {f: v for f in PARTY_FIELDS if (v := _given(row, f"{role}_{f}")) is not None}
    address = {a: v for a in ADDRESS_FIELDS if (v := _given(row, f"{role}_address_{a}")) is not None}
    if address:
        party["address"] = address
    return party or None


def _shipment(rows: list[dict[str, str]]) -> dict[str, Any]:
    first = rows[0]
    record: dict[str, Any] = {c: v for c in SHIPMENT_COLUMNS if (v := _given(first, c)) is not None}
    fiscal = {c: v for c in FISCAL_COLUMNS if (v := _given(first, c)) is not None}
    if fiscal:
        record["fiscal"] = fiscal
    record["parties"] = {role: p for role in ROLES if (p := _party(first, role)) is not None}
    record["goods"] = [
        {f: v for f in ITEM_FIELDS if (v := _given(row, f"item_{f}")) is not None} for row in rows
    ]
    return record


def read_records(stream: TextIO) -> Iterator[CsvRecord]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        yield CsvRecord(1, None, [1], f"unknown column(s): {', '.join(unknown)}")
        return
    group: list[dict[str, str]] = []
    lines: list[int] = []
    line_start = reader.line_num + 1
    for raw in reader:
        line = line_start
        line_start = reader.line_num + 1
        if not any(raw):
            continue
        if len(raw) != len(header):
            yield CsvRecord(line, None, [line], f"expected {len(header)} columns, found {len(raw)}")
            continue
        row = dict(zip(header, raw, strict=True))
        if group and (row.get("filer"), row.get("lrn")) != (group[0].get("filer"), group[0].get("lrn")):
            yield CsvRecord(lines[0], _shipment(group), lines)
            group, lines = [], []
        group.append(row)
        lines.append(line)
    if group:
        yield CsvRecord(lines[0], _shipment(group), lines)


def _flat_party(role: str, party: dict[str, Any] | None) -> dict[str, Any]:
    """Columns of one party; null (not given) values leave their cells empty."""
    if party is None:
        return {}
    out = {f"{role}_{f}": party[f] for f in PARTY_FIELDS if party.get(f) is not None}
    for a, v in (party.get("address") or {}).items():
        if v is not None:
            out[f"{role}_address_{a}"] = v
    return out


def to_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows of one shipment record in the JSON wire format."""
    base: dict[str, Any] = {c: record[c] for c in SHIPMENT_COLUMNS if record.get(c) is not None}
    base.update({k: v for k, v in (record.get("fiscal") or {}).items() if v is not None})
    for role, party in record["parties"].items():
        base.update(_flat_party(role, party))
    return [
        {**base, **{f"item_{k}": v for k, v in item.items() if v is not None}} for item in record["goods"]
    ]


def write_records(stream: TextIO, records: Iterable[dict[str, Any]]) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerows(to_rows(record))
        count += 1
    return count
