"""Flat CSV layout: round trip, grouping of item rows, broken lines and unknown columns."""

from __future__ import annotations

import copy
import csv
import io
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearway.declarations.csv_layout import COLUMNS, CsvRecord, read_records, to_rows, write_records
from clearway.declarations.model import Shipment
from clearway.declarations.validation import validate
from tests.sample import RECEIVED_AT, shipment


def write(records: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    assert write_records(buf, records) == len(records)
    return buf.getvalue()


def read(text: str) -> list[CsvRecord]:
    return list(read_records(io.StringIO(text, newline="")))


def test_columns_are_unique_and_cover_parties_and_items() -> None:
    assert len(COLUMNS) == len(set(COLUMNS))
    for column in ("filer", "lrn", "vendor_registration", "seller_tin", "consignee_address_postcode",
                   "item_hs_code", "item_net_mass_kg", "declarant_name"):  # fmt: skip
        assert column in COLUMNS
    assert "parties" not in COLUMNS and "goods" not in COLUMNS and "fiscal" not in COLUMNS


def test_to_rows_one_row_per_item_with_shipment_columns_repeated() -> None:
    rows = to_rows(shipment("T1"))
    assert len(rows) == 2
    assert [r["item_hs_code"] for r in rows] == ["610910", "851830"]
    for r in rows:
        assert r["lrn"] == "T1" and r["filer"] == "DHLEXPRESS"
        assert r["seller_tin"] == "CN91440300MA5FXX001"
        assert r["consignee_address_postcode"] == "10115"
        assert r["collection_model"] == "buyer"
    assert set(rows[0]) <= set(COLUMNS)


def test_round_trip_of_the_sample() -> None:
    original = shipment("T1")
    [record] = read(write([original]))
    assert record.error is None and record.line == 2 and record.lines == [2, 3]
    assert record.data is not None
    assert Shipment.model_validate(record.data) == Shipment.model_validate(original)


def test_round_trip_of_a_record_with_null_optional_parties() -> None:
    # `"marketplace": null` is valid wire format (the model accepts it) and means "not given".
    original = shipment("T1")
    original["parties"]["marketplace"] = None
    original["parties"]["seller"]["address"] = None
    [record] = read(write([original]))
    assert record.data is not None
    assert Shipment.model_validate(record.data) == Shipment.model_validate(original)


def test_round_trip_of_a_dumped_shipment() -> None:
    # What a service re-exporting stored shipments would write: the model's own JSON dump.
    original = Shipment.model_validate(shipment("T1"))
    [record] = read(write([original.model_dump(mode="json")]))
    assert record.data is not None
    assert Shipment.model_validate(record.data) == original


def test_multi_item_grouping_by_consecutive_filer_and_lrn() -> None:
    one = shipment("A1")
    three = shipment("A2")
    three["goods"].append({**three["goods"][0], "description": "Men's cotton T-shirt", "value": "5.00"})
    three["total_value"] = "45.00"
    other_filer = shipment("A2", filer="POSTNL")
    records = read(write([one, three, other_filer]))
    assert [(r.line, r.lines) for r in records] == [(2, [2, 3]), (4, [4, 5, 6]), (7, [7, 8])]
    assert [r.data["filer"] for r in records if r.data] == ["DHLEXPRESS", "DHLEXPRESS", "POSTNL"]
    assert [len(r.data["goods"]) for r in records if r.data] == [2, 3, 2]
    for r, original in zip(records, [one, three, other_filer], strict=True):
        assert r.data is not None
        s = Shipment.model_validate(r.data)
        assert s == Shipment.model_validate(original)
        assert validate(s, RECEIVED_AT) == []


def test_shipment_columns_are_read_from_the_first_row() -> None:
    text = write([shipment("A1")])
    lines = text.splitlines()
    header = next(csv.reader([lines[0]]))
    second = next(csv.reader([lines[2]]))
    second[header.index("total_value")] = "999.00"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, next(csv.reader([lines[1]])), second])
    [record] = read(buf.getvalue())
    assert record.data is not None and record.data["total_value"] == "40.00"


def test_broken_line_is_reported_with_its_number_and_good_lines_still_read() -> None:
    text = write([shipment("A1"), shipment("A2")])
    lines = text.splitlines()
    lines.insert(3, "DHLEXPRESS,BROKEN,only,four")  # becomes line 4
    # The broken line may come out before the shipment still being assembled: compare in line order.
    records = sorted(read("\n".join(lines) + "\n"), key=lambda r: r.line)
    assert [(r.line, r.error is None) for r in records] == [(2, True), (4, False), (5, True)]
    broken = records[1]
    assert broken.data is None and broken.lines == [4]
    assert broken.error == f"expected {len(COLUMNS)} columns, found 4"
    assert records[0].lines == [2, 3] and records[2].lines == [5, 6]
    for r in (records[0], records[2]):
        assert r.data is not None and validate(Shipment.model_validate(r.data), RECEIVED_AT) == []


def test_line_numbers_count_physical_lines_of_quoted_newlines_and_skip_blank_lines() -> None:
    first = shipment("A1")
    first["goods"][0]["description"] = "Women's cotton T-shirt\nsize M"  # one record over two lines
    text = write([first, shipment("A2")])
    lines = text.split("\n")
    # header 1; A1 item rows 2-3 and 4; A2 rows 5 and 6; insert a blank line before A2
    lines.insert(4, "")
    records = read("\n".join(lines))
    assert [(r.line, r.lines) for r in records] == [(2, [2, 4]), (6, [6, 7])]
    assert records[0].data is not None
    assert records[0].data["goods"][0]["description"] == "Women's cotton T-shirt\nsize M"


def test_unknown_column_is_reported_on_line_1_and_nothing_is_read() -> None:
    text = write([shipment("A1")])
    header, rest = text.split("\n", 1)
    records = read(f"{header},colour\n" + rest.replace("\n", ",red\n"))
    assert len(records) == 1
    assert records[0].data is None and records[0].line == 1 and records[0].lines == [1]
    assert records[0].error == "unknown column(s): colour"


def test_empty_file_and_header_only() -> None:
    assert read("") == []
    assert read(",".join(COLUMNS) + "\n") == []


def test_a_subset_of_columns_is_enough() -> None:
    text = (
        "filer,lrn,house_waybill,departure_country,destination_country,currency,total_value,"
        "seller_name,consignee_name,item_description,item_hs_code,item_origin_country,item_net_mass_kg,"
        "item_value\n"
        "DHLEXPRESS,B1,WB1,CN,DE,EUR,12.00,Seller Ltd,Anna Schmidt,Phone case,392690,CN,0.1,12.00\n"
    )
    [record] = read(text)
    assert record.data is not None
    s = Shipment.model_validate(record.data)
    assert s.goods[0].value == Decimal("12.00") and s.parties.consignee.address is None
    assert s.fiscal.collection_model == "buyer"


# --- round trip property ----------------------------------------------------------------------------

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=20,
)
amounts = st.decimals(min_value=0, max_value=10_000, places=2).map(str)


@st.composite
def records(draw: st.DrawFn, lrn: str) -> dict[str, Any]:
    record = shipment(lrn)
    n = draw(st.integers(min_value=1, max_value=4))
    record["goods"] = [
        {
            "description": draw(texts),
            "hs_code": draw(st.sampled_from(["610910", "85183000", "6109100010"])),
            "origin_country": draw(st.sampled_from(["CN", "US", "VN"])),
            "quantity": str(draw(st.integers(min_value=1, max_value=99))),
            "net_mass_kg": draw(st.decimals(min_value="0.001", max_value=99, places=3).map(str)),
            "value": draw(amounts),
            **({"gross_mass_kg": "100"} if draw(st.booleans()) else {}),
        }
        for _ in range(n)
    ]
    record["total_value"] = draw(amounts)
    record["transport_cost"] = draw(amounts)
    record["gift"] = draw(st.booleans())
    record["documents_only"] = draw(st.booleans())
    record["packages"] = draw(st.integers(min_value=1, max_value=9999))
    record["parties"]["consignee"]["name"] = draw(texts)
    record["parties"]["seller"]["address"]["city"] = draw(texts)
    if draw(st.booleans()):
        record["parties"]["carrier"] = {"name": draw(texts), "tin": "DE123456789"}
    if draw(st.booleans()):
        record["fiscal"] = {"collection_model": "vendor", "vendor_registration": "IM2760000001",
                            "tax_collected_at_checkout": True}  # fmt: skip
    if draw(st.booleans()):
        record["expected_arrival"] = None
    return record


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=4).flatmap(
    lambda ks: st.tuples(*[records(f"L{k}-{i}") for i, k in enumerate(ks)])
))  # fmt: skip
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_property(originals: tuple[dict[str, Any], ...]) -> None:
    records_in = [copy.deepcopy(r) for r in originals]
    text = write(records_in)
    back = read(text)
    assert [r.error for r in back] == [None] * len(originals)
    expected_line = 2
    for r, original in zip(back, originals, strict=True):
        assert r.line == expected_line
        # no line breaks in the generated texts: one physical line per item row
        assert r.lines == list(range(r.line, r.line + len(original["goods"])))
        expected_line = r.lines[-1] + 1
        assert r.data is not None
        parsed = Shipment.model_validate(r.data)
        model = Shipment.model_validate(original)
        assert parsed == model
        assert validate(parsed, RECEIVED_AT) == validate(model, RECEIVED_AT)
