"""`clearway demo --no-serve`: what a new user runs first, then the measurement commands on its database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from clearway.cli import app
from clearway.declarations import tables
from clearway.kit.database import make_engine
from clearway.revenue import accounts

runner = CliRunner()


def test_demo_files_works_the_day_and_opens_intermediary_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo writes its traffic under ./demo-data
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    r = runner.invoke(app, ["demo", "--shipments", "400", "--seed", "3", "--no-serve", "--db", db])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output.strip().splitlines()[-1])
    assert result["shipments"] == 400 and result["ingest"]["accepted"] > 300
    assert {"released", "held"} <= set(result["states"])
    assert result["accounts_opened"] > 0

    engine = make_engine(db)
    with engine.connect() as conn:
        opened = accounts.get_accounts(conn)
        balances = accounts.account_balances(conn, opened.values())
        s = tables.shipments
        on_account_released = conn.execute(
            select(func.count()).where(s.c.collection_model == "intermediary", s.c.state == "released")
        ).scalar_one()
    engine.dispose()
    assert len(opened) == result["accounts_opened"]
    # Intermediary shipments that arrived were charged to their account and released without payment.
    assert on_account_released > 0 and sum(balances.values()) > 0

    # A second run on the same database keeps the accounts it opened the first time.
    again = runner.invoke(app, ["demo", "--shipments", "50", "--seed", "4", "--no-serve", "--db", db])
    assert again.exit_code == 0, again.output

    # The measurement commands work on the demo's database (one JSON object on the last line).
    trs = runner.invoke(app, ["trs", "--db", db, "--format", "json"])
    assert trs.exit_code == 0, trs.output
    study = json.loads(trs.output.strip().splitlines()[-1])
    assert study["released"] > 0 and any(i["n"] > 0 for i in study["intervals"])
    stats = runner.invoke(app, ["stats", "--by", "origin", "--db", db, "--format", "json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output.strip().splitlines()[-1])
