"""The synthetic traffic generator: wire format, determinism, planted fraud and its labels."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clearway.declarations.model import Shipment
from clearway.traffic import FRAUD_KINDS, WATCHLIST_SELLERS, Label, generate, write_files
from clearway.traffic.generator import (
    CN8_CODES,
    DEFAULT_START,
    DESTINATION_COUNTRIES,
    EUR_RATES,
    GOODS_LOCATIONS,
    HS6_CODES,
    IOSS_LIMIT_EUR,
)

Day = list[tuple[dict[str, Any], Label]]
MONEY = re.compile(r"^\d+\.\d{2}$")
IOSS = re.compile(r"^IM\d{10}$")
# The documented band for the planted-fraud share of 5,000 shipments (expected 7.0 %, SD 0.4 points).
FRAUD_BAND = (0.055, 0.085)


@pytest.fixture(scope="module")
def day() -> Day:
    return list(generate(5000, 2026))


def eur(record: dict[str, Any]) -> Decimal:
    return Decimal(record["total_value"]) / EUR_RATES[record["currency"]]


def consignee_key(record: dict[str, Any]) -> tuple[str, ...]:
    c = record["parties"]["consignee"]
    a = c["address"]
    return c["name"], a["line"], a["postcode"], a["city"], a["country"]


def test_every_record_validates_as_a_shipment(day: Day) -> None:
    for record, _ in day:
        Shipment.model_validate(record)
        Shipment.model_validate(json.loads(json.dumps(record)))


def test_records_are_json_ready_in_the_documented_formats(day: Day) -> None:
    for record, label in day:
        for field in ("total_value", "transport_cost", "insurance_cost"):
            assert MONEY.match(record[field]), record[field]
        assert all(MONEY.match(g["value"]) for g in record["goods"])
        for field in ("lodged_at", "expected_arrival"):
            assert record[field].endswith("+00:00")
            assert dt.datetime.fromisoformat(record[field]).utcoffset() == dt.timedelta(0)
        assert record["destination_country"] in DESTINATION_COUNTRIES
        assert record["goods_location"] in GOODS_LOCATIONS
        assert record["goods_location"][:2] == record["destination_country"]
        assert record["office_of_entry"][:5] == record["goods_location"]
        assert len(record["office_of_entry"]) == 8
        assert (record["filer"], record["lrn"]) == (label.filer, label.lrn)
        assert len(record["lrn"]) <= 22


def test_same_arguments_give_identical_output_and_another_seed_does_not() -> None:
    first = [json.dumps(r) + repr(label) for r, label in generate(400, 9)]
    again = [json.dumps(r) + repr(label) for r, label in generate(400, 9)]
    other = [json.dumps(r) + repr(label) for r, label in generate(400, 10)]
    assert first == again
    assert first != other
    assert len(set(first) & set(other)) == 0


def test_write_files_is_byte_identical_across_runs(tmp_path: Path) -> None:
    write_files(300, 5, tmp_path / "a.jsonl")
    write_files(300, 5, tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.labels.jsonl").read_bytes() == (tmp_path / "b.labels.jsonl").read_bytes()


def test_start_shifts_the_day_and_is_read_as_utc() -> None:
    start = dt.datetime(2027, 3, 1, 6, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    records = [r for r, _ in generate(200, 1, start)]
    utc_start = start.astimezone(dt.UTC)
    lodged = [dt.datetime.fromisoformat(r["lodged_at"]) for r in records]
    assert all(utc_start <= t < utc_start + dt.timedelta(days=1) for t in lodged)
    naive = [r["lodged_at"] for r, _ in generate(50, 1, dt.datetime(2027, 3, 1, 4, 30))]
    assert naive == [r["lodged_at"] for r, _ in generate(50, 1, utc_start)]


def test_lodgements_spread_over_one_day_in_order(day: Day) -> None:
    lodged = [dt.datetime.fromisoformat(r["lodged_at"]) for r, _ in day]
    assert lodged == sorted(lodged)
    assert lodged[0] >= DEFAULT_START
    assert lodged[-1] < DEFAULT_START + dt.timedelta(days=1)
    assert len({t.hour for t in lodged}) == 24
    for record, _ in day:
        transit = dt.datetime.fromisoformat(record["expected_arrival"]) - dt.datetime.fromisoformat(
            record["lodged_at"]
        )
        limit = 5 if record["transport_mode"] in ("air", "post") else 10
        assert dt.timedelta(days=1) <= transit <= dt.timedelta(days=limit)


def test_references_are_unique(day: Day) -> None:
    keys = [(label.filer, label.lrn) for _, label in day]
    assert len(set(keys)) == len(keys)
    waybills = [r["house_waybill"] for r, _ in day]
    assert len(set(waybills)) == len(waybills)


def test_it_streams() -> None:
    # A billion shipments would not fit in memory: the first one must come without building them all.
    stream = generate(10**9, 3)
    record, label = next(stream)
    assert record["lrn"] == label.lrn


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError):
        generate(-1, 1)


def test_origins_and_destinations_look_like_eu_imports(day: Day) -> None:
    sellers = Counter(r["parties"]["seller"]["address"]["country"] for r, _ in day)
    assert 0.65 <= sellers["CN"] / len(day) <= 0.80
    assert {"US", "GB", "HK", "TR", "KR", "JP"} <= set(sellers)
    destinations = Counter(r["destination_country"] for r, _ in day)
    top = [c for c, _ in destinations.most_common(6)]
    assert set(top[:2]) == {"DE", "FR"}
    assert set(top) <= {"DE", "FR", "IT", "ES", "NL", "PL"}
    values = sorted(float(eur(r)) for r, _ in day)
    assert 10 <= values[len(values) // 2] <= 40  # median parcel
    assert sum(5 <= v <= 60 for v in values) / len(values) >= 0.6


def test_hs_codes_come_from_the_checked_lists(day: Day) -> None:
    assert all(len(c) == 6 and c.isdigit() for c in HS6_CODES)
    assert all(len(c) == 8 and c[:6] in HS6_CODES for c in CN8_CODES)
    for record, _ in day:
        for item in record["goods"]:
            code = item["hs_code"]
            assert code[:6] in HS6_CODES
            assert len(code) == 6 or code in CN8_CODES


def test_fraud_share_is_within_the_documented_band(day: Day) -> None:
    kinds = Counter(label.fraud for _, label in day)
    assert set(kinds) - {None} == set(FRAUD_KINDS)
    share = sum(n for kind, n in kinds.items() if kind) / len(day)
    assert FRAUD_BAND[0] <= share <= FRAUD_BAND[1]
    assert all(label.detail for _, label in day if label.fraud)
    assert not any(label.detail for _, label in day if label.fraud is None)


def test_fraud_concentrates_among_watchlisted_sellers() -> None:
    watchlist = {tin for tin, _ in WATCHLIST_SELLERS}
    assert 10 <= len(watchlist) <= 60
    by_status: dict[bool, list[bool]] = defaultdict(list)
    for record, label in generate(20000, 77):
        by_status[record["parties"]["seller"].get("tin") in watchlist].append(label.fraud is not None)
    watched = sum(by_status[True]) / len(by_status[True])
    others = sum(by_status[False]) / len(by_status[False])
    assert 0.22 <= watched <= 0.38
    assert watched > 3 * others


def test_split_consignments_share_consignee_and_stay_under_the_limit_each(day: Day) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record, label in day:
        if label.fraud == "split_consignment":
            match = re.search(r"split group (\S+): part (\d)/(\d)", label.detail)
            assert match is not None
            groups[match[1]].append(record)
    assert len(groups) >= 10
    for parts in groups.values():
        assert 2 <= len(parts) <= 4
        assert len({consignee_key(p) for p in parts}) == 1
        assert len({p["parties"]["seller"]["tin"] for p in parts}) == 1
        assert len({p["house_waybill"] for p in parts}) == len(parts)
        values = [eur(p) for p in parts]
        assert all(v <= IOSS_LIMIT_EUR for v in values)
        assert sum(values) > IOSS_LIMIT_EUR
        times = sorted(dt.datetime.fromisoformat(p["lodged_at"]) for p in parts)
        assert times[-1] - times[0] <= dt.timedelta(hours=4)


def test_each_fraud_kind_is_planted_as_documented(day: Day) -> None:
    for record, label in day:
        total = Decimal(record["total_value"])
        ioss = record["fiscal"].get("vendor_registration")
        hs = [item["hs_code"][:6] for item in record["goods"]]
        if label.fraud == "undervaluation":
            assert Decimal("0.05") <= total / label.true_value <= Decimal("0.20")
            assert f"true value {label.true_value}" in label.detail
        else:
            assert label.true_value == total
        if label.fraud == "ioss_misuse":
            assert ioss is not None and IOSS.match(ioss)
            assert eur(record) > IOSS_LIMIT_EUR
        elif ioss is not None:
            assert eur(record) <= IOSS_LIMIT_EUR
        if label.fraud == "wrong_hs":
            true_hs = re.search(r"true HS (\d{4})\.(\d{2})", label.detail)
            assert true_hs is not None and true_hs[1] + true_hs[2] not in hs
        if label.fraud == "misdescription":
            assert all(
                item["description"].lower()
                in {
                    "gift",
                    "sample",
                    "goods",
                    "parts",
                    "accessories",
                    "item",
                    "items",
                    "spare parts",
                    "accessory",
                }
                for item in record["goods"]
            )
        if label.fraud == "prohibited":
            assert any(code[:4] in {"3004", "2402", "9304", "9306", "3604"} for code in hs)


def test_fiscal_models_are_consistent(day: Day) -> None:
    models = Counter(r["fiscal"]["collection_model"] for r, _ in day)
    assert set(models) == {"vendor", "intermediary", "buyer"}
    for record, _ in day:
        fiscal = record["fiscal"]
        if fiscal["collection_model"] == "vendor":
            assert IOSS.match(fiscal["vendor_registration"]) and fiscal["tax_collected_at_checkout"]
        else:
            assert "vendor_registration" not in fiscal and not fiscal["tax_collected_at_checkout"]
        if fiscal["collection_model"] == "intermediary":
            assert fiscal["deferred_payment_account"]
    low = [
        r for r, _ in day if eur(r) <= IOSS_LIMIT_EUR and not r.get("gift") and not r.get("documents_only")
    ]
    with_ioss = sum(1 for r in low if r["fiscal"].get("vendor_registration")) / len(low)
    assert 0.55 <= with_ioss <= 0.75


def test_documents_and_gifts(day: Day) -> None:
    documents = [r for r, _ in day if r.get("documents_only")]
    gifts = [(r, label) for r, label in day if r.get("gift")]
    assert documents and gifts
    assert all(r["total_value"] == "0.00" for r in documents)
    assert all(g["hs_code"] in {"490199", "491110"} for r in documents for g in r["goods"])
    for record, label in gifts:
        assert eur(record) < 45
        assert "tin" not in record["parties"]["seller"]
        assert label.fraud is None


def test_repeat_buyers_receive_several_parcels(day: Day) -> None:
    parcels = Counter(consignee_key(r) for r, _ in day)
    assert sum(n for n in parcels.values() if n > 1) / len(day) >= 0.1


def test_write_files_writes_records_and_labels(tmp_path: Path) -> None:
    out = tmp_path / "day.jsonl"
    count, labels_path = write_files(1200, 4, out)
    assert count == 1200
    assert labels_path == tmp_path / "day.labels.jsonl"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    labels = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(labels) == count
    for record, label in itertools.islice(zip(records, labels, strict=True), 300):
        Shipment.model_validate(record)
        assert (record["filer"], record["lrn"]) == (label["filer"], label["lrn"])
        assert label["fraud"] is None or label["fraud"] in FRAUD_KINDS
        Decimal(label["true_value"])
    assert "\n" not in out.read_text(encoding="utf-8").splitlines()[0]
    assert ": " not in out.read_text(encoding="utf-8").splitlines()[0][:40]  # compact separators
