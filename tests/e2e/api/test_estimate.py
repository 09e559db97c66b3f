"""The public estimator: `clearway estimate` (one real process, the rest through Typer's runner) and
`GET /v1/estimate` with access control on (the estimator needs no key)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clearway.cli import app as cli_app
from clearway.config import Settings
from clearway.server import create_app

DE_25 = [
    "--destination",
    "DE",
    "--date",
    "2026-11-27",
    "--origin",
    "CN",
    "--value",
    "25",
    "--currency",
    "EUR",
    "--hs",
    "610910",
    "--shipping",
    "5",
]


def estimate_cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(cli_app, ["estimate", *args])
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_cli_process_prints_one_json_object_on_its_last_line() -> None:
    # CIF 25 + 5 = 30; flat duty 3.00 (one sub-heading, under EUR 150); VAT (30 + 3) x 19 % = 6.27
    done = subprocess.run(
        [sys.executable, "-m", "clearway.cli", "estimate", *DE_25],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert (last["duty"], last["taxes"], last["fees"], last["total"]) == ("3.00", {"vat": "6.27"}, {}, "9.27")
    assert last["currency"] == "EUR" and last["collection_model"] == "buyer"
    assert last["de_minimis_applied"] is False
    assert any("flat duty" in e for e in last["explanations"])


def test_cli_gift_and_vendor_flags() -> None:
    gift = estimate_cli(*DE_25[:-2], "--gift")  # 25 EUR gift: within EUR 45, nothing due
    assert json.loads(gift.stdout.strip().splitlines()[-1])["total"] == "0.00"
    ioss = estimate_cli(*DE_25, "--vendor-registration", "IM2760000001")
    body = json.loads(ioss.stdout.strip().splitlines()[-1])
    assert (
        body["collection_model"] == "vendor" and body["due_at_border"] == "0.00" and body["total"] == "9.27"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("--hs", "999999"), "hs"),
        (("--value", "-3"), "value"),
        (("--value", "1e15"), "value"),
        (("--currency", "AED"), "currency"),
        (("--date", "2031-01-01"), "date"),
        (("--date", "27/11/2026"), "date"),
    ],
)
def test_cli_bad_input_exits_non_zero_naming_the_field(change: tuple[str, str], field: str) -> None:
    args = list(DE_25)
    args[args.index(change[0]) + 1] = change[1]
    done = estimate_cli(*args)
    assert done.returncode == 2
    assert f"--{field}" in done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1])["error"]["field"] == field


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("estimate") / "estimate.db"
    # auth "required": the estimator is public and must answer without any key.
    with TestClient(create_app(Settings(database_url=f"sqlite:///{Path(db)}", auth="required"))) as client:
        yield client


def test_api_estimate_is_public_and_matches_the_cli(server: TestClient) -> None:
    params = {
        "destination": "DE",
        "date": "2026-11-27",
        "origin": "CN",
        "value": "25",
        "currency": "EUR",
        "hs": "610910",
        "shipping": "5",
    }
    r = server.get("/v1/estimate", params=params)
    assert r.status_code == 200, r.text
    cli = json.loads(estimate_cli(*DE_25).stdout.strip().splitlines()[-1])
    assert r.json() == cli


def test_api_uk_conversion_and_point_of_sale(server: TestClient) -> None:
    # 100 GBP to GB: no duty, VAT 20.00 charged by the seller
    r = server.get(
        "/v1/estimate",
        params={
            "destination": "GB",
            "date": "2025-09-01",
            "origin": "CN",
            "value": "100",
            "currency": "GBP",
            "hs": "610910",
        },
    )
    body = r.json()
    assert (body["duty"], body["taxes"], body["total"], body["collection_model"]) == (
        "0.00",
        {"vat": "20.00"},
        "20.00",
        "vendor",
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"hs": "000000"}, "hs"),
        ({"value": "-1"}, "value"),
        ({"value": "lots"}, "value"),
        ({"currency": "RUB", "date": "2023-01-02"}, "currency"),
        ({"date": "2009-12-31"}, "date"),
        ({"destination": "CH"}, "destination"),
        ({"hs": ""}, "hs"),
    ],
)
def test_api_bad_input_is_a_422_problem_naming_the_field(
    server: TestClient, params: dict[str, str], field: str
) -> None:
    base = {
        "destination": "DE",
        "date": "2025-09-01",
        "origin": "CN",
        "value": "25",
        "currency": "EUR",
        "hs": "610910",
    }
    r = server.get("/v1/estimate", params={**base, **params})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["field"] == field and body["errors"][0]["path"] == f"/{field}"


def test_goods_search_over_hs_texts_marks_restrictions() -> None:
    from clearway.web.estimator import search_goods

    # every word must appear; the shorter (more specific) text first; "other than cotton" also has both
    shirts = search_goods("t-shirts cotton")
    assert [m.code for m in shirts] == ["610910", "610990"]
    pistols = {m.code: m.status for m in search_goods("revolvers")}
    assert pistols["930200"] == "prohibited"
    assert [m.code for m in search_goods("8518")][:1] == ["851810"]
    assert search_goods("  ") == []
