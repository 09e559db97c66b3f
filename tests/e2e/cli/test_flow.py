"""The operator's path: clearway generate → clearway ingest → clearway serve → POST a generated record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.server import running_server


def clearway(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "clearway.cli", *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_generate_ingest_serve_and_post(module_db_url: str, tmp_path: Path) -> None:
    traffic = tmp_path / "day.jsonl"
    clearway("generate", "--shipments", "300", "--seed", "11", "--out", str(traffic))
    labels = tmp_path / "day.labels.jsonl"
    assert len(traffic.read_text().splitlines()) == 300 == len(labels.read_text().splitlines())

    out = clearway("ingest", str(traffic), "--db", module_db_url)
    assert "accepted" in out and "300" in out
    assert not (tmp_path / "day.jsonl.rejected.jsonl").exists()

    record = json.loads(traffic.read_text().splitlines()[0])
    with running_server(module_db_url) as base, httpx.Client(base_url=base, timeout=30) as api:
        again = api.post("/v1/shipments", json=record)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        fresh = {**record, "lrn": "NEW" + record["lrn"][-10:], "house_waybill": "NEWWB1"}
        response = api.post("/v1/shipments", json=fresh)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["lane"] in {"green", "yellow", "red"}
        assert body["revenue"]["currency"] == "EUR"
        assert {line["type"] for line in body["revenue"]["lines"]} & {"vat", "duty", "flat_duty"}
