"""Analyst rule sets on SQLite and PostgreSQL: versions, the live set in the pipeline, bad rules refused,
the CLI round trip, backtests with hand-computed numbers, and the fuzzy watch list in the pipeline."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from clearway.cli import app
from clearway.config import Settings
from clearway.declarations import tables
from clearway.intake.pipeline import ItemResult, Submission, process_batch
from clearway.kit.bulk import insert_dicts
from clearway.risk import ruleset
from clearway.risk import watchlist as watch_lists
from clearway.risk.backtest import backtest
from clearway.risk.errors import EmptyRange, RuleError
from clearway.risk.tables import versions_table
from tests.sample import RECEIVED_AT, shipment

SETTINGS = Settings(control_rate=0.0)
PHONES = ruleset.RuleSpec(
    id="A-PHONES-CN",
    title="Cheap phones from China",
    condition='origin == "CN" and any(goods, goods.hs_code.startsWith("8517") and goods.unit_value_eur < 60)',
    effect=ruleset.Effect.INSPECT,
)


def run(engine: Engine, *records: dict[str, Any], at: dt.datetime = RECEIVED_AT) -> list[ItemResult]:
    return process_batch(engine, [Submission(r) for r in records], SETTINGS, at)


def phone(lrn: str, value: str = "45.00", origin: str = "CN") -> dict[str, Any]:
    item = {"description": "Smartphone", "hs_code": "85171300", "origin_country": origin,
            "quantity": "1", "net_mass_kg": "0.2", "value": value}  # fmt: skip
    record = shipment(lrn, total_value=value, goods=[item])
    record["parties"]["consignee"]["name"] = f"Consignee {lrn}"
    return record


def stored_versions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(select(tables.decisions.c.rule_set_version))]


def test_changes_make_immutable_versions(engine: Engine) -> None:
    with engine.begin() as conn:
        assert ruleset.current_version(conn) == 0
        assert ruleset.add_rule(conn, PHONES, "anna") == 1
        changed = PHONES.model_copy(update={"title": "Phones", "effect": ruleset.Effect.DOCUMENTS})
        assert ruleset.update_rule(conn, PHONES.id, changed, "anna") == 2
        assert ruleset.disable_rule(conn, PHONES.id, "ben") == 3
    with engine.connect() as conn:
        versions = ruleset.list_versions(conn)
        rule = ruleset.get_rule(conn, PHONES.id)
    assert [(v["version"], v["change"], v["rules"]) for v in versions] == [
        (3, "disable A-PHONES-CN", []),
        (2, "update A-PHONES-CN", ["A-PHONES-CN"]),
        (1, "add A-PHONES-CN", ["A-PHONES-CN"]),
    ]
    assert versions[0]["rule_set_version"] == "core-2026.11.2+3"
    assert (rule["enabled"], rule["revision"], rule["effect"], rule["weight"]) == (False, 3, "documents", 0.3)
    with engine.connect() as conn:
        snapshot = conn.execute(
            select(versions_table.c.rules).where(versions_table.c.version == 1)
        ).scalar_one()
    assert snapshot[0]["effect"] == "inspect" and snapshot[0]["title"] == "Cheap phones from China"


def test_bad_rule_is_refused_with_position_and_the_active_set_is_unchanged(engine: Engine) -> None:
    with engine.begin() as conn:
        ruleset.add_rule(conn, PHONES)
    bad = PHONES.model_copy(update={"condition": 'origin == "CN" and goods.value_eur > 1'})
    with pytest.raises(RuleError) as info, engine.begin() as conn:
        ruleset.update_rule(conn, PHONES.id, bad)
    assert (info.value.kind, info.value.position.column) == ("field", 20)
    other = ruleset.RuleSpec(id="A-NEW", title="t", condition="orgin == 'CN'")
    with pytest.raises(RuleError), engine.begin() as conn:
        ruleset.add_rule(conn, other)
    with engine.connect() as conn:
        assert ruleset.current_version(conn) == 1
        assert [r["id"] for r in ruleset.list_rules(conn)] == ["A-PHONES-CN"]
        assert ruleset.get_rule(conn, PHONES.id)["condition"] == PHONES.condition
        assert ruleset.active_rule_set(conn).rules[0].id == "A-PHONES-CN"


def test_pipeline_evaluates_the_live_rule_set_and_stores_its_version(engine: Engine) -> None:
    run(engine, phone("P0"))
    with engine.begin() as conn:
        ruleset.add_rule(conn, PHONES)
    # a 45 EUR phone from CN hits; a 45 EUR phone from the US and a 70 EUR one from CN do not
    hit, us, dear = run(engine, phone("P1"), phone("P2", origin="US"), phone("P3", value="70.00"))
    assert hit.summary is not None and hit.summary["lane"] == "red"
    reasons = hit.summary["reasons"]
    assert {"rule": "A-PHONES-CN", "title": "Cheap phones from China"}.items() <= reasons[-1].items()
    assert [r.summary["lane"] for r in (us, dear) if r.summary] == ["green", "green"]
    with engine.begin() as conn:
        ruleset.disable_rule(conn, PHONES.id)
    [after] = run(engine, phone("P4"))
    assert after.summary is not None and after.summary["lane"] == "green"  # the cache follows the version
    assert sorted(stored_versions(engine)) == sorted(
        ["core-2026.11.2"] + ["core-2026.11.2+1"] * 3 + ["core-2026.11.2+2"]
    )


def test_scope_validity_and_release_override(engine: Engine) -> None:
    with engine.begin() as conn:
        ruleset.add_rule(conn, PHONES.model_copy(update={"offices": ["FRCDG001"]}))  # not our office
        ruleset.add_rule(
            conn,
            ruleset.RuleSpec(
                id="A-EXPIRED", title="old", condition="true", effect=ruleset.Effect.INSPECT,
                valid_to=dt.date(2026, 11, 26),
            ),
        )  # fmt: skip
    [r] = run(engine, phone("S1"))
    assert r.summary is not None and r.summary["lane"] == "green" and r.summary["reasons"] == []
    with engine.begin() as conn:
        ruleset.add_rule(
            conn, ruleset.RuleSpec(id="A-WINE", title="wine", condition="true", effect="inspect")
        )
        ruleset.add_rule(
            conn, ruleset.RuleSpec(id="A-TRUSTED", title="trusted", condition="true", effect="release")
        )
    [r] = run(engine, phone("S2"))
    assert r.summary is not None and r.summary["lane"] == "green"
    assert [x["rule"] for x in r.summary["reasons"]] == ["A-TRUSTED", "A-WINE"]


def _result(shipment_id: uuid.UUID, result: str) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "type": "inspection_result",
        "wco_id": "356",
        "at": RECEIVED_AT,
        "actor": "officer",
        "reason": None,
        "state_after": "held",
        "data": {"result": result},
    }


def test_backtest_numbers_by_hand(engine: Engine) -> None:
    # Same consignee throughout: one shipment two days earlier, then five on 27 November a minute apart.
    early = shipment(
        "B0", lodged_at="2026-11-25T10:00:00+00:00", expected_arrival="2026-11-26T06:00:00+00:00"
    )
    run(engine, early, at=dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC))
    records = []
    for k, origin in enumerate(["CN", "CN", "CN", "US", "US"], start=1):
        r = shipment(f"B{k}", lodged_at=f"2026-11-27T10:0{k}:00+00:00")
        for g in r["goods"]:
            g["origin_country"] = origin
        records.append(r)
    ids = [r.shipment_id for r in run(engine, *records)]
    assert all(ids)
    outcomes = [(ids[0], "non_compliant"), (ids[1], "compliant"), (ids[3], "non_compliant")]
    with engine.begin() as conn:
        insert_dicts(conn, tables.events, [_result(i, res) for i, res in outcomes if i])
    day = dt.date(2026, 11, 27)
    with engine.connect() as conn:
        result = backtest(conn, ruleset.condition_only('origin == "CN"'), day, day, label="CN")
        split = backtest(conn, ruleset.condition_only("indicator.split_count >= 4"), day, day)
        with pytest.raises(EmptyRange):
            backtest(conn, ruleset.condition_only("gift"), dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    numbers = result.as_dict()
    # 3 of 5 hit; controlled: B1 bad, B2 good, B4 bad; of the hits B1 and B2 were controlled, B1 bad
    assert numbers == {
        "date_from": "2026-11-27", "date_to": "2026-11-27", "rule_set": "CN", "shipments": 5, "hits": 3,
        "share_of_traffic": 0.6, "controlled": 3, "non_compliant": 2, "hits_controlled": 2,
        "hits_non_compliant": 1, "hits_compliant": 1, "hit_rate": 0.5, "baseline_hit_rate": 0.666667,
        "lift": 0.75,
    }  # fmt: skip
    # B0 counts in the window: B1..B5 are the 2nd..6th, so B3, B4 and B5 reach 4
    assert (split.hits, split.hits_controlled, split.hits_non_compliant) == (3, 1, 1)


def test_fuzzy_watch_list_in_the_pipeline_and_csv_round_trip(engine: Engine) -> None:
    csv_text = (
        "tin,name,address,reason,source,valid_from,valid_to\n"
        ",Shenzen Bright Trading,,undervaluation,OLAF,2026-01-01,\n"
        "DE999,,,expired,OLAF,2025-01-01,2025-12-31\n"
    )
    with engine.begin() as conn:
        assert watch_lists.import_csv(conn, csv_text) == 2
    [r] = run(engine, shipment("W1"))
    assert r.summary is not None and r.summary["lane"] == "red"
    [reason] = r.summary["reasons"]
    assert reason["rule"] == "R-WATCHLIST"
    assert reason["detail"] == "matched name 'shenzhen bright' ~ 'shenzen bright' (97)"
    with engine.connect() as conn:
        assert watch_lists.export_csv(conn) == csv_text
        assert [e["tin"] for e in watch_lists.list_entries(conn, dt.date(2026, 11, 27))] == [None]
        result = backtest(
            conn,
            ruleset.condition_only("indicator.watchlist_hit"),
            dt.date(2026, 11, 27),
            dt.date(2026, 11, 27),
        )
    assert (result.shipments, result.hits) == (1, 1)


def test_cli_round_trip(db_url: str, tmp_path: Any) -> None:
    runner = CliRunner()
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        '[[rules]]\nid = "A-GIFTS"\ntitle = "Gifts over 45"\n'
        'condition = "gift and consignment.total_value_eur > 45"\neffect = "documents"\n'
        '[[rules]]\nid = "A-HEAVY"\ntitle = "Heavy"\n'
        'condition = "consignment.net_mass_kg > 30"\neffect = "score"\n'
    )
    out = runner.invoke(app, ["rules", "add", "--file", str(rules_file), "--db", db_url])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["rules", "update", "A-HEAVY", "--weight", "0.4", "--db", db_url])
    assert out.exit_code == 0, out.output
    bad = runner.invoke(
        app, ["rules", "update", "A-HEAVY", "--condition", "consignment.mass > 30", "--db", db_url]
    )
    assert bad.exit_code == 2
    assert "unknown field 'consignment.mass'" in bad.output and "line 1, column 1" in bad.output
    listed = runner.invoke(app, ["rules", "list", "--format", "json", "--db", db_url])
    body = json.loads(listed.output.strip().splitlines()[-1])
    assert body["rule_set_version"] == "core-2026.11.2+3"  # add A-GIFTS, add A-HEAVY, update A-HEAVY
    assert [(r["id"], r["weight"]) for r in body["rules"]] == [("A-GIFTS", 0.3), ("A-HEAVY", 0.4)]
    out = runner.invoke(app, ["rules", "disable", "A-GIFTS", "--db", db_url])
    assert out.exit_code == 0 and "core-2026.11.2+4" in out.output
    shown = runner.invoke(app, ["rules", "show", "A-GIFTS", "--db", db_url])
    assert json.loads(shown.output)["enabled"] is False


def test_watchlist_cli_import_errors_export_and_list(db_url: str, tmp_path: Any) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "tin,name,address,reason,source,valid_from,valid_to\nCN1,,,ok,,,\n,,,who,,,\nCN3,,,x,,tomorrow,\n"
    )
    out = runner.invoke(app, ["watchlist", "import", str(bad), "--db", db_url])
    assert out.exit_code == 2
    assert f"{bad}:line 3, column tin: one of tin, name or address is required" in out.output
    assert f"{bad}:line 4, column valid_from: 'tomorrow' is not a date (YYYY-MM-DD)" in out.output
    assert "2 bad row(s); nothing imported" in out.output
    good = tmp_path / "good.csv"
    good.write_text(
        "tin,name,address,reason,source,valid_from,valid_to\n"
        "CN1,,,ok,OLAF,,\n"
        ',Drop Point,"Industriestr. 5, 12345, DE",address,,2026-01-01,2026-06-30\n'
    )
    assert runner.invoke(app, ["watchlist", "import", str(good), "--db", db_url]).exit_code == 0
    exported = tmp_path / "out.csv"
    assert runner.invoke(app, ["watchlist", "export", "--out", str(exported), "--db", db_url]).exit_code == 0
    assert exported.read_text() == good.read_text().replace(",address,,", ",address,csv,")
    listed = runner.invoke(
        app, ["watchlist", "list", "--on", "2026-11-27", "--format", "json", "--db", db_url]
    )
    assert [e["tin"] for e in json.loads(listed.output)] == ["CN1"]  # the other ended in June
