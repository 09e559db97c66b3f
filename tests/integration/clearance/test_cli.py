"""`clearway offices|agencies|aeo|notify` against a real SQLite file: what an operator types."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clearway.cli import app

runner = CliRunner()


def test_operator_commands(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}"]
    r = runner.invoke(
        app, ["offices", "add", "BEBRU", "--name", "Brussels", "--roles", "declaration,payment", *db]
    )
    assert r.exit_code == 0 and "office BEBRU000 saved" in r.output
    r = runner.invoke(app, ["offices", "add", "BEQQQ000", "--name", "X", "--roles", "entry", *db])
    assert r.exit_code == 2 and "not in the UN/LOCODE code list" in r.output
    assert runner.invoke(app, ["agencies", "add", "VET", "--name", "Veterinary", *db]).exit_code == 0
    r = runner.invoke(app, ["agencies", "subscribe", "VET", "--hs", "0201-0210", "--hold", *db])
    assert r.exit_code == 0
    listed = json.loads(runner.invoke(app, ["agencies", "list", *db]).output)
    assert listed[0]["subscriptions"][0]["hs"] == "020100-021099"
    source = tmp_path / "in.csv"
    source.write_text(
        "tin,holder,type,status,issuing_country,reference,valid_from,valid_to\n"
        "de 136 695 976,Muster GmbH,AEOF,active,DE,R1,2024-01-01,\n"
    )
    assert runner.invoke(app, ["aeo", "import", str(source), *db]).exit_code == 0
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["aeo", "export", "--out", str(out), *db]).exit_code == 0
    assert out.read_text().splitlines()[1] == "DE136695976,Muster GmbH,AEOF,active,DE,R1,2024-01-01,"
    bad = tmp_path / "bad.csv"
    bad.write_text(source.read_text().replace("AEOF", "AEOX"))
    r = runner.invoke(app, ["aeo", "import", str(bad), *db])
    assert r.exit_code == 2 and "row 2, type" in r.output
    r = runner.invoke(app, ["notify", "run", "--once", "--no-nats", *db])
    assert r.exit_code == 0 and json.loads(r.output.strip().splitlines()[-1])["delivered"] == 0
