"""Text no database can store (U+0000) is a field error on both databases, and never loses a batch
(issue "Trustworthy", defect 2: PostgreSQL refused the row, a POST answered 500, a batch was lost and
`clearway ingest` died on every rerun)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from clearway.config import Settings
from clearway.declarations.tables import rejections, shipments
from clearway.intake.files import ingest_file, rejected_path_for
from clearway.server import create_app
from tests.sample import recent


def _with_nul(lrn: str) -> dict[str, object]:
    record = recent(lrn)
    record["goods"][0]["description"] = "Cotton\u0000 T-shirt"
    return record


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, auth="off", control_rate=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_single_submission_names_the_field(client: TestClient) -> None:
    answer = client.post("/v1/shipments", json=_with_nul("NUL1"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [(e["code"], e["path"]) for e in answer.json()["errors"]] == [("text.nul", "/goods/0/description")]


def test_a_batch_keeps_its_good_records(client: TestClient) -> None:
    body = {"shipments": [recent("NULOK1"), _with_nul("NULBAD"), recent("NULOK2")]}
    answer = client.post("/v1/shipments", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["accepted"], result["rejected"]) == (2, 1)
    bad = result["results"][1]
    assert bad["status"] == "rejected" and bad["errors"][0]["path"] == "/goods/0/description"
    # The filer and LRN given are kept in the data-quality record, storable.
    assert client.get(f"/v1/shipments/{result['results'][0]['id']}").status_code == 200


def test_nul_in_the_filer_or_lrn_is_refused_and_recorded(client: TestClient, engine: Engine) -> None:
    record = recent("NULLRN")
    record["lrn"] = "AB\u0000CD"
    answer = client.post("/v1/shipments", json={"shipments": [record]})
    assert answer.status_code == 200 and answer.json()["rejected"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(rejections.c.lrn)).scalars().all() == ["ABCD"]


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/v1/watchlist", {"name": "Evil\u0000 Corp", "reason": "x"}, "/name"),
        (
            "/v1/rules",
            {"id": "R-NUL", "title": "t\u0000", "condition": "value_eur > 1", "lane": "yellow"},
            "/title",
        ),
    ],
)
def test_other_writes_name_the_field(
    client: TestClient, path: str, body: dict[str, str], pointer: str
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["path"] == pointer


def test_csv_upload_names_line_and_column(client: TestClient) -> None:
    csv = "tin,name,address,reason,source,valid_from,valid_to\n,Good Name,,r,s,,\n,Bad\u0000Name,,r,s,,\n"
    answer = client.post("/v1/watchlist/import", content=csv.encode(), headers={"content-type": "text/csv"})
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["line"], error["column"]) == (3, 5)


def test_deeply_nested_json_is_a_400(client: TestClient) -> None:
    nested = "[" * 5000 + "]" * 5000
    for path in ("/v1/shipments", "/v1/accounts"):
        answer = client.post(path, content=nested.encode(), headers={"content-type": "application/json"})
        assert answer.status_code in (400, 422), (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_ingest_stores_the_good_records_and_reruns_cleanly(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "day.jsonl"
    records = [recent("F1"), _with_nul("F2"), recent("F3")]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = Settings(database_url=db_url, control_rate=0)
    for _ in range(2):  # the rerun finds the same: two stored (duplicates now), one refused
        summary = ingest_file(engine, path, settings)
        assert summary.statuses["rejected"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(shipments)).scalar_one() == 2
    refused = [json.loads(line) for line in rejected_path_for(path).read_text().splitlines()]
    assert [r["line"] for r in refused] == [2]


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/v1/watchlist/import", "tin,name,address,reason,source,valid_from,valid_to"),
        ("/v1/aeo", "tin,holder,type,status,issuing_country,reference,valid_from,valid_to"),
        ("/v1/registrations", "number,scheme,holder,valid_from,valid_to"),
    ],
)
def test_a_bare_carriage_return_in_a_csv_upload_is_a_422(client: TestClient, path: str, header: str) -> None:
    # A lone CR ends a line, as it does in a file: the row it cuts short is a field error, not a 500.
    body = f"{header}\r\n,A\rB,,r,s,,\n".encode()
    answer = client.post(path, content=body, headers={"content-type": "text/csv"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
