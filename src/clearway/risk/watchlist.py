"""Watch lists and risk profiles: parties by TIN, and by fuzzy name and address, with validity and source.

Matching is per batch: TINs by exact normalised value; names and addresses by rapidfuzz's
``token_sort_ratio`` (0-100) at or above a threshold, after blocking on a key (the first letter of the
name key, the country of the address) so that each block is one ``process.cdist`` call. Blocking means a
name whose first letter is mistyped is not found; TINs remain the strong identifier.

CSV format (UTF-8, header row, comma-separated)::

    tin,name,address,reason,source,valid_from,valid_to

``tin``, ``name`` and ``address`` may each be empty but not all three; ``address`` is "line, postcode,
country" as written; ``reason`` is required; ``source`` defaults to ``csv``; dates are ISO (YYYY-MM-DD) or
empty (open-ended). An import is all or nothing: any bad row refuses the file with every error by line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, or_, select

from clearway.declarations.normalise import fold, name_key, normalise_tin
from clearway.kit.bulk import insert_dicts
from clearway.kit.csvsafe import restore, safe_row
from clearway.kit.errors import Finding
from clearway.risk import tables as risk_tables
from clearway.risk.errors import WatchlistCsvError

COLUMNS = ("tin", "name", "address", "reason", "source", "valid_from", "valid_to")
DEFAULT_THRESHOLD = 90.0
table = risk_tables.watchlist


def address_key(address: str) -> str:
    """Folded address text; the country (last comma-separated part, when two letters) leads, for blocking."""
    parts = [p.strip() for p in address.split(",")]
    country = parts[-1].upper() if len(parts) > 1 and len(parts[-1]) == 2 else ""
    rest = parts[:-1] if country else parts
    return f"{country}|{fold(' '.join(rest))}"


def party_address_key(line: str | None, postcode: str | None, country: str) -> str:
    return f"{country.upper()}|{fold(' '.join(p for p in (line, postcode) if p))}"


@dataclass(frozen=True, slots=True)
class WatchEntry:
    tin: str | None = None
    name: str | None = None
    address: str | None = None
    reason: str = ""
    source: str = "manual"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _block(key: str) -> str:
    return key[:1]


def _address_block(key: str) -> str:
    return key.split("|", 1)[0]


class FuzzyWatchlist:
    """Matcher over the entries valid on one day (risk/rules.py's PartyMatcher)."""

    def __init__(self, entries: Iterable[WatchEntry], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.tins: set[str] = set()
        self.names: dict[str, list[str]] = defaultdict(list)  # block -> name keys
        self.addresses: dict[str, list[str]] = defaultdict(list)
        for e in entries:
            if e.tin:
                self.tins.add(normalise_tin(e.tin))
            if e.name and (key := name_key(e.name)):
                self.names[_block(key)].append(key)
            if e.address:
                self.addresses[_address_block(address_key(e.address))].append(address_key(e.address))
        for blocks in (self.names, self.addresses):
            for block, keys in blocks.items():
                blocks[block] = sorted(set(keys))

    def _fuzzy(
        self, queries: set[str], blocks: Mapping[str, list[str]], block_of: Any, label: str
    ) -> dict[str, list[str]]:
        by_block: dict[str, list[str]] = defaultdict(list)
        for q in queries:
            if q and block_of(q) in blocks:
                by_block[block_of(q)].append(q)
        found: dict[str, list[str]] = {}
        for block, qs in by_block.items():
            choices = blocks[block]
            scores = process.cdist(
                qs, choices, scorer=fuzz.token_sort_ratio, score_cutoff=self.threshold, workers=1
            )
            for i, j in zip(*np.nonzero(scores), strict=True):
                text = f"{label} '{qs[i]}'" if qs[i] == choices[j] else f"{label} '{qs[i]}' ~ '{choices[j]}'"
                found.setdefault(qs[i], []).append(f"{text} ({scores[i, j]:.0f})")
        return found

    def match(
        self,
        tins: Sequence[frozenset[str]],
        names: Sequence[frozenset[str]],
        addresses: Sequence[frozenset[str]],
    ) -> list[list[str]]:
        name_hits = self._fuzzy({n for ns in names for n in ns}, self.names, _block, "name")
        address_hits = self._fuzzy(
            {a for addrs in addresses for a in addrs}, self.addresses, _address_block, "address"
        )
        out: list[list[str]] = []
        for ts, ns, addrs in zip(tins, names, addresses, strict=True):
            hits = [f"TIN {t}" for t in sorted(ts & self.tins)]
            hits += [h for n in sorted(ns) for h in name_hits.get(n, [])]
            hits += [h for a in sorted(addrs) for h in address_hits.get(a, [])]
            out.append(hits)
        return out


# Storage -----------------------------------------------------------------------------------------


def _valid_on(on: dt.date) -> Any:
    return (
        or_(table.c.valid_from.is_(None), table.c.valid_from <= on),
        or_(table.c.valid_to.is_(None), table.c.valid_to >= on),
    )


def list_entries(conn: Connection, on: dt.date | None = None) -> list[dict[str, Any]]:
    query = select(table).order_by(table.c.id)
    if on is not None:
        query = query.where(*_valid_on(on))
    return [
        {
            "id": r.id,
            "tin": r.tin,
            "name": r.name,
            "address": r.address,
            "reason": r.reason,
            "source": r.source,
            "valid_from": r.valid_from.isoformat() if r.valid_from else None,
            "valid_to": r.valid_to.isoformat() if r.valid_to else None,
        }
        for r in conn.execute(query)
    ]


def load_matcher(conn: Connection, on: dt.date, threshold: float = DEFAULT_THRESHOLD) -> FuzzyWatchlist:
    rows = conn.execute(select(table.c.tin, table.c.name, table.c.address).where(*_valid_on(on)))
    return FuzzyWatchlist((WatchEntry(tin=t, name=n, address=a) for t, n, a in rows), threshold)


def add_entries(conn: Connection, entries: Sequence[WatchEntry]) -> int:
    insert_dicts(
        conn,
        table,
        [
            {
                "tin": normalise_tin(e.tin) if e.tin else None,
                "name": e.name,
                "name_key": name_key(e.name) if e.name else None,
                "address": e.address,
                "address_key": address_key(e.address) if e.address else None,
                "reason": e.reason,
                "source": e.source,
                "valid_from": e.valid_from,
                "valid_to": e.valid_to,
            }
            for e in entries
        ],
    )
    return len(entries)


# CSV -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    column: str | None
    message: str

    def as_finding(self) -> Finding:
        return Finding("watchlist.csv", "", self.message, line=self.line, column=self.column)

    def as_dict(self) -> dict[str, Any]:
        return self.as_finding().as_dict()

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def _date(value: str, line: int, column: str, problems: list[CsvProblem]) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(CsvProblem(line, column, f"'{value}' is not a date (YYYY-MM-DD)"))
        return None


def parse_csv(text: str) -> list[WatchEntry]:
    """Entries from CSV text; WatchlistCsvError lists every bad row by line number."""
    reader = csv.reader(io.StringIO(text, newline=None))  # a bare CR ends a line, as in a file
    problems: list[CsvProblem] = []
    header = next(reader, None)
    if header is None:
        raise WatchlistCsvError([CsvProblem(1, None, "empty file: expected the header " + ",".join(COLUMNS))])
    names = [h.strip().lower() for h in header]
    missing = [c for c in ("tin", "name", "reason") if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    if missing or unknown:
        detail = (f"missing {', '.join(missing)}" if missing else "") + (
            ("; " if missing and unknown else "") + (f"unknown {', '.join(unknown)}" if unknown else "")
        )
        raise WatchlistCsvError([CsvProblem(1, None, f"header: {detail}; expected {','.join(COLUMNS)}")])
    entries: list[WatchEntry] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problems.append(CsvProblem(line, None, f"{len(row)} fields, the header has {len(names)}"))
            continue
        r = dict(zip(names, (restore(cell.strip()) for cell in row), strict=True))
        before = len(problems)
        if not (r.get("tin") or r.get("name") or r.get("address")):
            problems.append(CsvProblem(line, "tin", "one of tin, name or address is required"))
        if not r.get("reason"):
            problems.append(CsvProblem(line, "reason", "required"))
        for column, limit in (("tin", 40), ("name", 70), ("address", 256), ("source", 70)):
            if len(r.get(column, "")) > limit:
                problems.append(CsvProblem(line, column, f"longer than {limit} characters"))
        valid_from = _date(r.get("valid_from", ""), line, "valid_from", problems)
        valid_to = _date(r.get("valid_to", ""), line, "valid_to", problems)
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(CsvProblem(line, "valid_to", "before valid_from"))
        if len(problems) == before:
            entries.append(
                WatchEntry(
                    tin=r.get("tin") or None,
                    name=r.get("name") or None,
                    address=r.get("address") or None,
                    reason=r["reason"],
                    source=r.get("source") or "csv",
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
    if problems:
        raise WatchlistCsvError(problems)
    return entries


def import_csv(conn: Connection, text: str) -> int:
    return add_entries(conn, parse_csv(text))


def export_csv(conn: Connection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in list_entries(conn):
        writer.writerow(safe_row("" if e[c] is None else e[c] for c in COLUMNS))
    return out.getvalue()
