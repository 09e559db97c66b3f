"""Model scoring in the pipeline, retraining from stored outcomes, selection, drift and cases on real
databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from clearway.config import Settings
from clearway.declarations.tables import events, shipments
from clearway.intake.pipeline import Submission, process_batch
from clearway.kit.database import make_engine
from clearway.risk import cases, drift, scoring, selection
from clearway.risk.errors import RetrainError
from clearway.risk.model import registry
from clearway.risk.retrain import retrain
from clearway.risk.tables import decision_scores, score_baselines
from clearway.server import create_app
from tests.sample import shipment

SETTINGS = Settings(control_rate=0.0)
START = dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC)
RECEIVED = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
OFFICE = "DELEJ001"
# A tiny model: a few rounds, leaves allowed on small groups.
PARAMS = {"num_boost_round": 30, "min_data_in_leaf": 3, "min_data_per_group": 3, "cat_smooth": 1.0}
BAD_SELLER = {"name": "Cheap Copies Ltd", "tin": "CN91000000BAD0001", "address": {"country": "CN"}}


def record(lrn: str, at: dt.datetime, bad: bool, k: int) -> dict[str, Any]:
    r = shipment(lrn, lodged_at=at.isoformat())
    r["parties"] = copy.deepcopy(r["parties"])
    if bad:
        r["parties"]["seller"] = dict(BAD_SELLER)
        r["goods"][0]["value"] = "2.00"  # two T-shirts at EUR 1: far below the usual price
        r["goods"][1]["value"] = "15.00"
        r["total_value"] = "17.00"
    # Consignees in pairs that share a payment reference: cases of two.
    r["parties"]["consignee"] = {
        "name": f"Person {k}",
        "address": {"line": f"Street {k}", "postcode": "10115", "city": "Berlin", "country": "DE"},
    }
    r["payment_id"] = f"PAY-{k // 2}"
    return r


def ingest(engine: Engine, first: int, count: int) -> list[uuid.UUID]:
    records = [
        record(f"L{k:04d}", START + dt.timedelta(minutes=20 * k), bad=k % 3 == 0, k=k)
        for k in range(first, first + count)
    ]
    results = process_batch(engine, [Submission(r) for r in records], SETTINGS, RECEIVED)
    assert all(r.status == "accepted" for r in results), [r.errors for r in results if r.errors][:2]
    return [r.shipment_id for r in results if r.shipment_id is not None]


def control_all(engine: Engine) -> int:
    """A non-compliant result for the bad seller's shipments, compliant for the others, 1 h after filing."""
    with engine.begin() as conn:
        rows = conn.execute(select(shipments.c.id, shipments.c.lodged_at, shipments.c.lrn)).all()
        conn.execute(
            insert(events),
            [
                {
                    "shipment_id": r.id, "type": "inspection_result", "wco_id": "356",
                    "at": r.lodged_at + dt.timedelta(hours=1), "actor": "officer", "reason": None,
                    "state_after": "held",
                    "data": {"control": "physical",
                             "result": "non_compliant" if int(r.lrn[1:]) % 3 == 0 else "compliant"},
                }
                for r in rows
            ],
        )  # fmt: skip
    return len(rows)


def build_scored_database(url: str) -> dict[str, Any]:
    """60 controlled shipments, a model trained on them and activated, then 12 scored shipments."""
    engine = make_engine(url)
    scoring.reset_cache()
    ingest(engine, 0, 60)
    controlled = control_all(engine)
    result = retrain(engine, activate=True, seed=0, params=PARAMS)
    scoring.reset_cache()
    scored_ids = ingest(engine, 60, 12)
    engine.dispose()
    return {"version": result.version, "controlled": controlled, "scored": scored_ids, "result": result}


@pytest.fixture
def scored(db_url: str) -> dict[str, Any]:
    return build_scored_database(db_url)


def test_without_an_active_model_nothing_is_scored(engine: Engine) -> None:
    scoring.reset_cache()
    ingest(engine, 0, 3)
    with engine.connect() as conn:
        assert conn.execute(select(decision_scores)).all() == []


def test_retrain_needs_labels(engine: Engine) -> None:
    ingest(engine, 0, 5)
    with pytest.raises(RetrainError, match="labelled"):
        retrain(engine)


def test_pipeline_stores_model_version_score_and_top_contributions(
    db_url: str, scored: dict[str, Any]
) -> None:
    engine = make_engine(db_url)
    version = scored["version"]
    assert registry.active(engine, "shipments") is not None
    assert scored["result"].labelled == 60 and scored["result"].positives == 20
    with engine.connect() as conn:
        rows = conn.execute(select(decision_scores)).all()
        lrns = dict(conn.execute(select(shipments.c.id, shipments.c.lrn)).all())
        baseline = conn.execute(select(score_baselines)).one()
    assert len(rows) == 12
    assert {r.shipment_id for r in rows} == set(scored["scored"])
    assert {r.model_version for r in rows} == {version}
    assert all(len(r.contributions) == 5 for r in rows)
    assert all(0.0 <= r.score <= 1.0 for r in rows)
    bad = [r.score for r in rows if int(lrns[r.shipment_id][1:]) % 3 == 0]
    good = [r.score for r in rows if int(lrns[r.shipment_id][1:]) % 3 != 0]
    assert min(bad) > max(good)  # the model learnt the seller and the low unit value
    assert baseline.model_version == version and baseline.rows == 60 and abs(sum(baseline.shares) - 1) < 1e-5
    # The shipment page and the API show the same score and contributions.
    client = TestClient(create_app(Settings(database_url=db_url, auth="off")))
    sid = rows[0].shipment_id
    body = client.get(f"/v1/shipments/{sid}/score").json()
    assert body["model_version"] == version and len(body["contributions"]) == 5
    assert body["score"] == round(rows[0].score, 4)
    page = client.get(f"/shipments/{sid}")
    assert (
        page.status_code == 200 and version in page.text and body["contributions"][0]["feature"] in page.text
    )
    engine.dispose()


def test_selection_is_stored_reproducible_and_within_capacity(db_url: str, scored: dict[str, Any]) -> None:
    client = TestClient(create_app(Settings(database_url=db_url, auth="off")))
    day = START.date().isoformat()
    made = client.post(
        "/v1/risk/selections", json={"office": OFFICE, "date": day, "capacity": 8, "exploration": 0.25}
    )
    assert made.status_code == 201
    run = made.json()
    assert run["candidates"] == 72  # every shipment of the day at the office (72 within 24 h)
    assert len(run["selected"]) == 8 and run["exploration_slots"] == 2
    assert [p["kind"] for p in run["selected"]].count("exploration") == 2
    greedy = [p["score"] for p in run["selected"] if p["kind"] == "score"]
    assert greedy == sorted(greedy, reverse=True)
    again = client.get(f"/v1/risk/selections/{run['id']}").json()
    assert again["reproduced"] is True and again["selected"] == run["selected"]
    second = client.post(
        "/v1/risk/selections", json={"office": OFFICE, "date": day, "capacity": 8, "exploration": 0.25}
    )
    assert second.json()["selected"] == run["selected"]  # same inputs, default seed: same choice
    missing = client.post("/v1/risk/selections", json={"office": "XX000001", "date": day})
    assert missing.status_code == 422 and missing.json()["errors"][0]["path"] == "/capacity"


def test_drift_reports_weekly_hit_rate_and_psi(db_url: str, scored: dict[str, Any]) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        run = selection.run_selection(conn, OFFICE, START.date(), capacity=4, exploration=0.5, seed=1)
    explored = {p["shipment_id"] for p in run["selected"] if p["kind"] == "exploration"}
    with engine.connect() as conn:
        report = drift.drift(conn)
    engine.dispose()
    assert report["controls"] == 60 and report["hits"] == 20 and report["hit_rate"] == round(20 / 60, 4)
    week = next(w for w in report["weeks"] if w["scored"])
    assert week["model_version"] == scored["version"] and week["psi"] is not None and week["psi"] >= 0
    # Exploration picks among the controlled shipments count in the exploration hit rate.
    assert report["exploration_controls"] == len(explored & {str(i) for i in _controlled(db_url)})


def _controlled(db_url: str) -> list[uuid.UUID]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ids = list(
            conn.execute(select(events.c.shipment_id).where(events.c.type == "inspection_result")).scalars()
        )
    engine.dispose()
    return ids


def test_cases_link_shipments_sharing_a_payment_reference(engine: Engine) -> None:
    ingest(engine, 0, 6)
    with engine.connect() as conn:
        found = cases.find_cases(conn)
        lrn = dict(conn.execute(select(shipments.c.id, shipments.c.lrn)).all())
    # Pairs (0, 1), (2, 3), (4, 5) share PAY-0, PAY-1, PAY-2; the common seller does not link.
    assert found["shipments"] == 6
    assert sorted(sorted(lrn[uuid.UUID(m["shipment_id"])] for m in c["members"]) for c in found["cases"]) == [
        ["L0000", "L0001"], ["L0002", "L0003"], ["L0004", "L0005"],
    ]  # fmt: skip
    assert all(c["links"] == [{"kind": "payment", "key": c["links"][0]["key"]}] for c in found["cases"])
    client = TestClient(
        create_app(Settings(database_url=str(engine.url.render_as_string(hide_password=False)), auth="off"))
    )
    first = found["cases"][0]["id"]
    assert client.get(f"/v1/cases/{first}").json()["shipments"] == 2
    csv_text = client.get(f"/v1/cases/{first}?format=csv").text
    assert csv_text.count("\n") == 3 and csv_text.startswith("case,shipment_id")
    assert client.get("/v1/cases/C-000000000000").status_code == 404


def test_cli_retrain_select_drift_and_cases(db_url: str) -> None:
    from typer.testing import CliRunner

    from clearway.cli import app

    engine = make_engine(db_url)
    ingest(engine, 0, 30)
    control_all(engine)
    engine.dispose()
    runner = CliRunner()
    trained = runner.invoke(app, ["model", "retrain", "--db", db_url, "--activate", "--seed", "3"])
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.output.strip().splitlines()[-1])
    assert summary["activated"] is True and summary["labelled"] == 30 and summary["positives"] == 10
    assert registry.active(make_engine(db_url), "shipments") is not None
    day = START.date().isoformat()
    chosen = runner.invoke(
        app,
        [
            "risk",
            "select",
            "--office",
            OFFICE,
            "--date",
            day,
            "--capacity",
            "5",
            "--format",
            "json",
            "--db",
            db_url,
        ],
    )
    assert chosen.exit_code == 0, chosen.output
    run = json.loads(chosen.output.strip().splitlines()[-1])
    assert len(run["selected"]) == 5 and run["exploration_slots"] == 1
    no_capacity = runner.invoke(
        app, ["risk", "select", "--office", "XX000001", "--date", day, "--db", db_url]
    )
    assert no_capacity.exit_code == 2 and "capacity" in no_capacity.output
    report = runner.invoke(app, ["risk", "drift", "--format", "json", "--db", db_url])
    assert json.loads(report.output.strip().splitlines()[-1])["controls"] == 30
    found = runner.invoke(app, ["risk", "cases", "--format", "json", "--db", db_url])
    assert len(json.loads(found.output.strip().splitlines()[-1])["cases"]) == 15  # pairs sharing a payment


def test_the_batch_in_memory_is_what_the_reader_reads_back(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline scores frames built from the batch in memory (`history.from_assessed`); retraining
    reads the stored shipments (`history.load_shipments`). A model must see the same values in both."""
    from polars.testing import assert_frame_equal

    from clearway.risk import history

    seen: dict[str, Any] = {}

    def spy(conn: Any, ids: Any, settings: Any = None, *, batch: Any = None, at: Any = None) -> None:
        seen["ids"], seen["batch"] = list(ids), list(batch or [])

    monkeypatch.setattr(scoring, "score_stored", spy)
    records = [
        record(f"M{k:03d}", START + dt.timedelta(minutes=7 * k), bad=k % 4 == 0, k=k) for k in range(12)
    ]
    records[3]["currency"] = "USD"  # converted to EUR at the day's rate on both sides
    process_batch(engine, [Submission(r) for r in records], SETTINGS, RECEIVED)
    memory = history.from_assessed(seen["batch"])
    with engine.connect() as conn:
        stored = history.load_shipments(conn, seen["ids"])
    assert memory.batch.height == 12
    assert_frame_equal(memory.batch, stored.batch, check_exact=False, rel_tol=1e-12)
    order = ["shipment_id", "hs6", "description"]
    assert_frame_equal(memory.items.sort(order), stored.items.sort(order), check_exact=False, rel_tol=1e-12)

    # First sightings read back for novelty: each route (and consignee) at its earliest lodgement.
    with engine.connect() as conn:
        first = history.load_first_seen(conn, memory.batch)
    earliest = memory.batch.group_by(
        (pl.col("departure_country") + ">" + pl.col("destination_country")).alias("key")
    ).agg(pl.col("lodged_at").min().alias("first_at"))
    routes = first.filter(pl.col("kind") == "route").select("key", "first_at")
    assert_frame_equal(routes.sort("key"), earliest.sort("key"))
    assert first.filter(pl.col("kind") == "consignee").height == memory.batch["consignee_key"].n_unique()
