"""Keys, personal data at rest, audit and retention against SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text, update

from clearway.config import Settings
from clearway.declarations import tables
from clearway.declarations.normalise import consignee_key, name_key
from clearway.declarations.repository import shipment_detail
from clearway.intake.pipeline import Submission, process_batch
from clearway.measurement.sources import export_parquet
from clearway.security import audit, keys
from clearway.security.backfill import seal_existing
from clearway.security.errors import InvalidKeyRequest
from clearway.security.personal import reveal, vault_for
from clearway.security.retention import PURGED_KEY, purge
from clearway.security.roles import Principal, Role
from clearway.security.tables import api_keys, personal_data
from tests.sample import RECEIVED_AT, shipment

SETTINGS = Settings(control_rate=0.0)
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
SECRETS = (
    "Zofia Wisniewska-Kowalczyk",
    "Ulica Zielona 77",
    "zofia.w@example.pl",
    "+48 600 700 800",
    "PL-ID-5544",
)


def _record(lrn: str) -> dict[str, Any]:
    record = shipment(lrn)
    record["parties"]["consignee"] = {
        "name": SECRETS[0],
        "address": {"line": SECRETS[1], "city": "Berlin", "postcode": "10115", "country": "DE"},
        "email": SECRETS[2],
        "phone": SECRETS[3],
        "tin": SECRETS[4],
    }
    return record


def _file(engine: Engine, *lrns: str) -> list[uuid.UUID]:
    results = process_batch(engine, [Submission(_record(lrn)) for lrn in lrns], SETTINGS, RECEIVED_AT)
    assert [r.status for r in results] == ["accepted"] * len(lrns)
    return [r.shipment_id for r in results if r.shipment_id]


# Keys -------------------------------------------------------------------------------------------------


def test_key_lifecycle_create_verify_expire_revoke(engine: Engine) -> None:
    with engine.begin() as conn:
        filer = keys.create_key(conn, "filer", "DHLEXPRESS", expires_in_days=30, now=NOW)
        officer = keys.create_key(conn, "officer", now=NOW)
    assert filer.key.startswith(f"cw_{filer.prefix}_") and len(filer.key) > 50
    with engine.begin() as conn:
        stored = conn.execute(select(api_keys)).all()
        # The secret itself is nowhere in the table.
        assert all(filer.key.split("_", 2)[2] not in str(tuple(r)) for r in stored)
        ok = keys.verify(conn, filer.key, NOW)
        assert ok.principal == Principal(Role.FILER, "DHLEXPRESS", filer.prefix)
        expired = keys.verify(conn, filer.key, NOW + dt.timedelta(days=30))
        assert expired.refusal == "expired" and expired.since == NOW + dt.timedelta(days=30)
        wrong_secret = officer.key[:-4] + "AAAA"
        assert keys.verify(conn, wrong_secret, NOW).refusal == "unknown"
        assert keys.verify(conn, "cw_000000000000_nothing", NOW).refusal == "unknown"
        assert keys.verify(conn, "not a key", NOW).refusal == "malformed"
        assert keys.revoke_key(conn, officer.prefix, NOW + dt.timedelta(hours=1))
        assert not keys.revoke_key(conn, officer.prefix)  # already revoked
        revoked = keys.verify(conn, officer.key, NOW + dt.timedelta(hours=2))
        assert revoked.refusal == "revoked" and revoked.since == NOW + dt.timedelta(hours=1)
        assert keys.verify_session(conn, officer.prefix, NOW, NOW).refusal == "revoked"
        statuses = {k.prefix: k.status(NOW + dt.timedelta(days=31)) for k in keys.list_keys(conn)}
    assert statuses == {filer.prefix: "expired", officer.prefix: "revoked"}


@pytest.mark.parametrize(
    ("role", "party", "message"),
    [
        ("customs", None, "role: 'customs' is not one of"),
        ("filer", None, "party: a filer key needs"),
        ("agency", None, "party: a agency key needs"),
        ("officer", "DHLEXPRESS", "party: a officer key acts for the administration"),
    ],
)
def test_bad_key_requests_name_the_field(engine: Engine, role: str, party: str | None, message: str) -> None:
    with engine.begin() as conn, pytest.raises(InvalidKeyRequest, match=message):
        keys.create_key(conn, role, party)


# Personal data at rest --------------------------------------------------------------------------------


def _stored_bytes(engine: Engine, db_url: str) -> bytes:
    """Everything the database holds, as bytes: the files on SQLite, every row as text on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(db_url.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        out = [
            str(row[0]).encode()
            for table in list(tables)
            for row in conn.execute(text(f'SELECT t::text FROM "{table}" t'))
        ]
    return b"\n".join(out)


def test_stored_bytes_do_not_contain_the_consignee(engine: Engine, db_url: str) -> None:
    _file(engine, "P1", "P2")
    stored = _stored_bytes(engine, db_url)
    assert b"Shenzhen Bright Trading" in stored  # the check can see clear text: the seller is stored
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
    assert b"wisniewska" not in stored.lower()  # nor the normalised consignee key
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(personal_data)).scalar_one() == 2


def test_parquet_export_carries_no_personal_data(engine: Engine, tmp_path: Path) -> None:
    _file(engine, "X1")
    with engine.connect() as conn:
        counts = export_parquet(conn, tmp_path / "export")
    assert counts["shipments"] == 1
    for name in counts:
        frame = pl.read_parquet(tmp_path / "export" / f"{name}.parquet")
        text_values = " ".join(
            str(v) for column in frame.columns if frame.schema[column] == pl.String for v in frame[column]
        )
        assert not any(secret in text_values for secret in SECRETS), name
        assert not {"consignee_key", "declaration", "name"} & set(frame.columns), name


def test_officer_reads_the_consignee_others_see_the_mask(engine: Engine) -> None:
    (sid,) = _file(engine, "P3")
    vault = vault_for(SETTINGS)
    with engine.connect() as conn:
        detail = shipment_detail(conn, sid)
        consignee = reveal(conn, vault, [sid])[sid]
    assert detail is not None
    assert detail["declaration"]["parties"]["consignee"] == {
        "name": "[protected]",
        "address": {"country": "DE"},
    }
    assert (
        consignee["name"] == SECRETS[0]
        and consignee["email"] == SECRETS[2]
        and consignee["tin"] == SECRETS[4]
    )


def test_split_rule_still_matches_the_same_consignee_through_the_blind_index(engine: Engine) -> None:
    # Three parcels to one consignee, 60 EUR each: 180 EUR is over the 150 EUR de minimis together.
    records = []
    for k in range(3):
        record = _record(f"S{k}")
        record["total_value"] = "60.00"
        record["goods"] = [{**record["goods"][0], "value": "60.00"}]
        records.append(record)
    first = process_batch(engine, [Submission(r) for r in records[:2]], SETTINGS, RECEIVED_AT)
    later = process_batch(engine, [Submission(records[2])], SETTINGS, RECEIVED_AT + dt.timedelta(hours=1))
    assert [r.status for r in first + later] == ["accepted"] * 3
    reasons = [rule["rule"] for rule in (later[0].summary or {})["reasons"]]
    assert "R-SPLIT" in reasons
    with engine.connect() as conn:
        keys_ = set(conn.execute(select(tables.shipments.c.consignee_key)).scalars())
    assert len(keys_) == 1 and len(next(iter(keys_))) == 64  # one HMAC for the one consignee


# Audit ------------------------------------------------------------------------------------------------


def test_pipeline_and_reads_are_audited(engine: Engine) -> None:
    sids = _file(engine, "A1", "A2")
    officer = Principal(Role.OFFICER, None, "0123456789ab")
    with engine.begin() as conn:
        audit.append(conn, officer, [audit.Entry("personal_data.read", str(s)) for s in sids], NOW)
        entries = audit.read(conn)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("personal_data.read", "officer (0123456789ab)"),
        ("personal_data.read", "officer (0123456789ab)"),
        ("pipeline.assess", "system"),
    ]
    assert entries[2]["detail"]["shipments"] == 2 and entries[2]["detail"]["lanes"] == {"green": 2}
    assert {e["subject"] for e in entries[:2]} == {str(s) for s in sids}


# Retention --------------------------------------------------------------------------------------------


def _close(engine: Engine, sid: uuid.UUID, state: str, at: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(tables.shipments).where(tables.shipments.c.id == sid).values(state=state, updated_at=at)
        )


def test_purge_removes_personal_data_of_closed_shipments_after_the_retention_period(engine: Engine) -> None:
    old_released, old_seized, recent_released, old_open = _file(engine, "R1", "R2", "R3", "R4")
    _close(engine, old_released, "released", NOW - dt.timedelta(days=40))
    _close(engine, old_seized, "seized", NOW - dt.timedelta(days=31))
    _close(engine, recent_released, "released", NOW - dt.timedelta(days=29))
    _close(engine, old_open, "held", NOW - dt.timedelta(days=90))  # not closed: kept whatever its age
    with engine.begin() as conn:
        assert purge(conn, 30, NOW, dry_run=True).shipments == 2
        result = purge(conn, 30, NOW)
    assert result.shipments == 2 and result.cutoff == NOW - dt.timedelta(days=30)
    vault = vault_for(SETTINGS)
    s, p = tables.shipments, tables.parties
    with engine.connect() as conn:
        left = reveal(conn, vault, [old_released, old_seized, recent_released, old_open])
        keys_ = {r.id: r.consignee_key for r in conn.execute(select(s.c.id, s.c.consignee_key))}
        consignees = select(p.c.shipment_id, p.c.name_key).where(p.c.role == "consignee")
        party_keys = {r.shipment_id: r.name_key for r in conn.execute(consignees)}
        detail = shipment_detail(conn, old_released)
        last = audit.read(conn, 1)[0]
    assert set(left) == {recent_released, old_open}
    assert keys_[old_released] == keys_[old_seized] == PURGED_KEY != keys_[recent_released]
    assert party_keys[old_released] == PURGED_KEY != party_keys[old_open]
    assert detail is not None and detail["revenue"]["due_at_border"] == "14.74"  # the record stays
    assert (last["action"], last["detail"]["shipments"]) == ("privacy.purge", 2)
    with engine.begin() as conn:
        assert purge(conn, 30, NOW).shipments == 0  # nothing twice
        assert purge(conn, 0, NOW).shipments == 1  # --now: every closed shipment


def test_shipments_stored_before_sealing_are_sealed_like_new_ones(engine: Engine, db_url: str) -> None:
    legacy, fresh = _file(engine, "B1", "B2")
    vault = vault_for(SETTINGS)
    s, p = tables.shipments, tables.parties
    plain_key = consignee_key(SECRETS[0], SECRETS[1], "10115", "DE", "DE")
    with engine.connect() as conn:
        declaration = conn.execute(select(s.c.declaration).where(s.c.id == legacy)).scalar_one()
        blind_key = conn.execute(select(s.c.consignee_key).where(s.c.id == fresh)).scalar_one()
        blind_party = conn.execute(
            select(p.c.name_key).where(p.c.shipment_id == fresh, p.c.role == "consignee")
        ).scalar_one()
    # Make B1 look as the pipeline stored it before sealing existed.
    consignee = _record("B1")["parties"]["consignee"]
    declaration["parties"]["consignee"] = consignee
    with engine.begin() as conn:
        conn.execute(personal_data.delete().where(personal_data.c.shipment_id == legacy))
        conn.execute(
            update(s).where(s.c.id == legacy).values(declaration=declaration, consignee_key=plain_key)
        )
        conn.execute(
            update(p)
            .where(p.c.shipment_id == legacy, p.c.role == "consignee")
            .values(name=SECRETS[0], name_key=name_key(SECRETS[0]), tin=SECRETS[4])
        )
    assert SECRETS[0].encode() in _stored_bytes(engine, db_url)
    with engine.begin() as conn:
        assert seal_existing(conn, vault, chunk=1) == 1
        assert seal_existing(conn, vault) == 0  # nothing twice
    stored = _stored_bytes(engine, db_url)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
    with engine.connect() as conn:
        assert reveal(conn, vault, [legacy])[legacy] == consignee
        row = conn.execute(select(s.c.declaration, s.c.consignee_key).where(s.c.id == legacy)).one()
        party = conn.execute(
            select(p.c.name, p.c.name_key, p.c.tin).where(p.c.shipment_id == legacy, p.c.role == "consignee")
        ).one()
    assert row.declaration["parties"]["consignee"] == {"name": "[protected]", "address": {"country": "DE"}}
    # The same blind keys the pipeline writes today, so the split rule and party links keep matching.
    assert row.consignee_key == blind_key == vault.blind(plain_key)
    assert tuple(party) == ("[protected]", blind_party, None)
