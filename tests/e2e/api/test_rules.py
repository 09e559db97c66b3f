"""Rules, rule sets, backtests and watch lists over real HTTP (uvicorn in its own process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.api.test_shipments import now_record
from tests.e2e.server import running_server

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api(module_db_url: str) -> Iterator[httpx.Client]:
    with running_server(module_db_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def rule(rule_id: str, condition: str, **extra: Any) -> dict[str, Any]:
    return {"id": rule_id, "title": f"title of {rule_id}", "condition": condition, **extra}


def version(api: httpx.Client) -> str:
    return str(api.get("/v1/rules").json()["rule_set_version"])


def test_add_update_disable_and_versions(api: httpx.Client) -> None:
    created = api.post("/v1/rules", json=rule("A-GIFT", "gift and consignment.total_value_eur > 45"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["rule"]["effect"] == "documents" and body["rule"]["weight"] == 0.3
    first = body["rule_set_version"]
    assert first.startswith("core-2026.11.2+")
    again = api.post("/v1/rules", json=rule("A-GIFT", "gift"))
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    updated = api.put("/v1/rules/A-GIFT", json=rule("A-GIFT", "gift", effect="inspect", offices=["DELEJ001"]))
    assert updated.status_code == 200, updated.text
    assert updated.json()["rule"]["offices"] == ["DELEJ001"] and updated.json()["rule"]["revision"] == 2
    disabled = api.post("/v1/rules/A-GIFT/disable")
    assert disabled.status_code == 200 and disabled.json()["rule"]["enabled"] is False
    n = int(first.rsplit("+", 1)[1])
    assert disabled.json()["rule_set_version"] == f"core-2026.11.2+{n + 2}"
    versions = api.get("/v1/rule-sets").json()["versions"]
    assert [v["change"] for v in versions[:3]] == ["disable A-GIFT", "update A-GIFT", "add A-GIFT"]
    assert api.post("/v1/rules/A-NONE/disable").status_code == 404


def test_bad_rule_is_a_422_with_position_and_changes_nothing(api: httpx.Client) -> None:
    assert api.post("/v1/rules", json=rule("A-KEEP", "origin == 'CN'")).status_code == 201
    before = version(api)
    bad = api.put("/v1/rules/A-KEEP", json=rule("A-KEEP", "origin == 'CN' and\n  goods.hs_code == '93'"))
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    problem = bad.json()
    assert problem["position"] == {
        "line": 2,
        "column": 3,
        "offset": 21,
    }  # 18 characters, a line break, 2 spaces
    assert problem["errors"][0]["code"] == "rule.field" and problem["errors"][0]["path"] == "/condition"
    assert "goods-item field" in problem["errors"][0]["message"]
    unknown = api.post("/v1/rules", json=rule("A-NEW", "origin == 'CN' and colour == 'red'"))
    assert unknown.status_code == 422 and unknown.json()["position"]["column"] == 20
    assert "unknown field 'colour'" in unknown.json()["detail"]
    reserved = api.post("/v1/rules", json=rule("R-MINE", "gift"))
    assert reserved.status_code == 422 and "reserved" in reserved.text
    assert version(api) == before
    kept = api.get("/v1/rules/A-KEEP").json()
    assert kept["condition"] == "origin == 'CN'" and kept["revision"] == 1
    assert api.get("/v1/rules/A-NEW").status_code == 404


def test_live_rule_decides_lane_and_backtest_counts_it(api: httpx.Client) -> None:
    api.post("/v1/rules/A-KEEP/disable")
    condition = (
        "any(goods, goods.description.lower().contains('earbuds')) and consignment.total_value_eur > 100"
    )
    assert api.post("/v1/rules", json=rule("A-EARBUDS", condition, effect="inspect")).status_code == 201
    cheap = api.post("/v1/shipments", json=now_record("RA1")).json()
    dear = now_record("RA2", total_value="150.00")
    dear["goods"][1]["value"] = "125.00"
    dear_body = api.post("/v1/shipments", json=dear).json()
    assert cheap["lane"] == "green" and dear_body["lane"] == "red"
    assert dear_body["reasons"][-1]["rule"] == "A-EARBUDS"
    assert dear_body["rule_set_version"] == version(api)
    today = dt.datetime.now(dt.UTC).date()
    window = {"from": (today - dt.timedelta(days=1)).isoformat(), "to": today.isoformat()}
    result = api.post("/v1/rules/backtest", json={"rule": "A-EARBUDS", **window})
    assert result.status_code == 200, result.text
    numbers = result.json()
    assert numbers["hits"] == 1 and numbers["shipments"] >= 2 and numbers["hits_controlled"] == 0
    assert numbers["hit_rate"] is None
    by_condition = api.post(
        "/v1/rules/backtest", json={"condition": "consignment.total_value_eur > 149", **window}
    )
    assert by_condition.json()["hits"] == 1
    bad = api.post("/v1/rules/backtest", json={"condition": "value > 1", **window})
    assert bad.status_code == 422 and bad.json()["position"] == {"line": 1, "column": 1, "offset": 0}
    empty = api.post(
        "/v1/rules/backtest", json={"condition": "gift", "from": "2020-01-01", "to": "2020-01-02"}
    )
    assert empty.status_code == 404 and empty.headers["content-type"] == PROBLEM
    neither = api.post("/v1/rules/backtest", json=window)
    assert neither.status_code == 422


def test_watchlist_add_import_export(api: httpx.Client) -> None:
    added = api.post("/v1/watchlist", json={"tin": "CN 123-456", "reason": "counterfeit", "source": "OLAF"})
    assert added.status_code == 201 and added.json() == {"added": 1}
    assert api.post("/v1/watchlist", json={"reason": "nobody"}).status_code == 422
    bad_csv = (
        "tin,name,address,reason,source,valid_from,valid_to\n,Acme,,fraud,,,\nX1,,,,,,\nX2,,,r,,01/02/2026,\n"
    )
    refused = api.post("/v1/watchlist/import", content=bad_csv, headers={"content-type": "text/csv"})
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert [(e["line"], e["column"]) for e in refused.json()["errors"]] == [(3, "reason"), (4, "valid_from")]
    good_csv = "tin,name,reason\n,Acme Widgets,fraud\n,Beta Goods,fraud\n"
    imported = api.post("/v1/watchlist/import", content=good_csv, headers={"content-type": "text/csv"})
    assert imported.status_code == 201 and imported.json() == {"added": 2}
    entries = api.get("/v1/watchlist").json()["entries"]
    assert [(e["tin"], e["name"]) for e in entries] == [
        ("CN123456", None),
        (None, "Acme Widgets"),
        (None, "Beta Goods"),
    ]
    exported = api.get("/v1/watchlist", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[2] == ",Acme Widgets,,fraud,csv,,"
