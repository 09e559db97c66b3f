"""CSV exports never hand a spreadsheet a formula (issue "Trustworthy", defect 11), and imports of
Clearway's own exports read the cells back as they were."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from clearway.clearance import aeo
from clearway.kit.csvsafe import neutralise, restore
from clearway.revenue.accounts import statement_csv
from clearway.risk.cases import case_csv
from clearway.risk.watchlist import parse_csv

ATTACKS = ["=CMD|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("cell", ATTACKS)
def test_formula_cells_are_neutralised_and_restored(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["-12.50", "+3", "0", "12", "plain", "'quoted", ""])
def test_numbers_and_plain_text_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_statement_export_is_safe() -> None:
    doc = {
        "month": "2026-11",
        "opening_balance": "0.00",
        "closing_balance": "-4.74",
        "lines": [{"date": "2026-11-02", "kind": "charge", "reference": "=HYPERLINK(1)", "debit": "4.74"}],
    }
    cells = _cells(statement_csv(doc))
    assert "'=HYPERLINK(1)" in cells and "-4.74" in cells and "=HYPERLINK(1)" not in cells


def test_case_export_is_safe() -> None:
    case = {"id": "C1", "members": [{"lrn": "+1+1", "filer": "@evil"}]}
    cells = _cells(case_csv(case))
    assert "'+1+1" in cells and "'@evil" in cells


def test_aeo_export_is_safe_and_round_trips() -> None:
    item = aeo.Authorisation(
        tin="DE136695976",
        holder="=CMD|' /C calc'!A0",
        type="AEOS",
        status="active",
        issuing_country="DE",
        reference="DEAEOF1234",
        valid_from=dt.date(2024, 1, 1),
        valid_to=None,
    )
    text = aeo.write_csv([item])
    assert "'=CMD" in text
    assert aeo.read_csv(text)[0].holder == item.holder


def test_watchlist_import_reads_neutralised_cells_back() -> None:
    text = "tin,name,address,reason,source,valid_from,valid_to\n,'=Evil Corp,,r,s,,\n"
    assert parse_csv(text)[0].name == "=Evil Corp"
