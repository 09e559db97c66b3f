"""Watch lists: exact TINs, fuzzy names and addresses per batch, validity of CSV rows by line number."""

from __future__ import annotations

import datetime as dt

import pytest
from rapidfuzz import fuzz

from clearway.declarations.normalise import name_key
from clearway.risk.errors import WatchlistCsvError
from clearway.risk.watchlist import (
    COLUMNS,
    FuzzyWatchlist,
    WatchEntry,
    address_key,
    parse_csv,
    party_address_key,
)

ENTRIES = [
    WatchEntry(tin="CN 9144-0300", reason="counterfeit"),
    WatchEntry(name="Shenzhen Bright Trading Co., Ltd.", reason="undervaluation"),
    WatchEntry(address="Industriestr. 5, 12345, DE", reason="drop address"),
]


def match(names: list[str], tins: list[str] | None = None, addresses: list[str] | None = None) -> list[str]:
    matcher = FuzzyWatchlist(ENTRIES, threshold=90)
    [hits] = matcher.match(
        [frozenset(tins or [])], [frozenset(name_key(n) for n in names)], [frozenset(addresses or [])]
    )
    return hits


def test_tin_matches_exactly_after_normalisation() -> None:
    assert match([], tins=["CN91440300"]) == ["TIN CN91440300"]
    assert match([], tins=["CN91440301"]) == []


def test_name_matches_despite_legal_form_case_and_a_typo() -> None:
    # name keys drop "co", "ltd", "trading": "shenzhen bright" vs "shenzhen brigth" scores 93.3
    assert fuzz.token_sort_ratio("shenzhen bright", "shenzhen brigth") == pytest.approx(93.33, abs=0.01)
    [hit] = match(["SHENZHEN BRIGTH TRADING LIMITED"])
    assert hit == "name 'shenzhen brigth' ~ 'shenzhen bright' (93)"
    assert match(["Shenzhen Bright"]) == ["name 'shenzhen bright' (100)"]


def test_different_name_and_first_letter_typo_do_not_match() -> None:
    assert match(["Shenzhen Dark Industries"]) == []  # below the threshold
    assert match(["Xhenzhen Bright"]) == []  # another block: blocking is on the first letter


def test_threshold_is_configurable() -> None:
    lenient = FuzzyWatchlist(ENTRIES, threshold=60)
    [hits] = lenient.match([frozenset()], [frozenset({name_key("Shenzhen Brite Co")})], [frozenset()])
    # "shenzhen brite" vs "shenzhen bright": 89.7, a hit at 60 but not at 90
    assert len(hits) == 1 and hits[0].startswith("name 'shenzhen brite' ~ 'shenzhen bright'")
    assert match(["Shenzhen Brite Co"]) == []


def test_address_matches_fuzzily_within_the_same_country() -> None:
    assert address_key("Industriestr. 5, 12345, DE") == "DE|industriestr 5 12345"
    near = party_address_key("Industriestrasse 5", "12345", "DE")
    hits = match([], addresses=[near])
    assert len(hits) == 1 and hits[0].startswith("address 'DE|industriestrasse 5 12345'")
    assert match([], addresses=[party_address_key("Industriestrasse 5", "12345", "AT")]) == []


def test_batch_answers_per_shipment_in_order() -> None:
    matcher = FuzzyWatchlist(ENTRIES)
    result = matcher.match(
        [frozenset(), frozenset({"CN91440300"}), frozenset()],
        [frozenset({name_key("Anna Schmidt")}), frozenset(), frozenset({name_key("Shenzhen Bright")})],
        [frozenset(), frozenset(), frozenset()],
    )
    assert result == [[], ["TIN CN91440300"], ["name 'shenzhen bright' (100)"]]


HEADER = ",".join(COLUMNS)


def test_csv_rows_become_entries() -> None:
    entries = parse_csv(
        f'{HEADER}\nCN91440300,,,counterfeit,OLAF,2026-01-01,\n,"Acme, Inc.",,fraud,,,2026-12-31\n\n'
    )
    assert entries == [
        WatchEntry("CN91440300", None, None, "counterfeit", "OLAF", dt.date(2026, 1, 1), None),
        WatchEntry(None, "Acme, Inc.", None, "fraud", "csv", None, dt.date(2026, 12, 31)),
    ]


def test_csv_errors_name_every_bad_line_and_column() -> None:
    text = (
        f"{HEADER}\n"  # line 1
        "CN1,,,ok,,,\n"  # line 2: fine
        ",,,no party,,,\n"  # line 3: no tin, name or address
        "CN2,,,,,,\n"  # line 4: no reason
        "CN3,,,x,,2026-13-01,\n"  # line 5: bad date
        "CN4,,,x\n"  # line 6: too few fields
        "CN5,,,x,,2026-02-01,2026-01-01\n"  # line 7: ends before it starts
    )
    with pytest.raises(WatchlistCsvError) as info:
        parse_csv(text)
    assert [(p.line, p.column) for p in info.value.problems] == [
        (3, "tin"),
        (4, "reason"),
        (5, "valid_from"),
        (6, None),
        (7, "valid_to"),
    ]
    assert "'2026-13-01' is not a date" in info.value.problems[2].message
    assert str(info.value.problems[3]) == "line 6: 4 fields, the header has 7"


def test_csv_header_must_name_the_columns() -> None:
    with pytest.raises(WatchlistCsvError) as info:
        parse_csv("taxid,name,reason\n")
    [problem] = info.value.problems
    assert problem.line == 1 and "missing tin" in problem.message and "unknown taxid" in problem.message
    with pytest.raises(WatchlistCsvError, match="empty file"):
        parse_csv("")
