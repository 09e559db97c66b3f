"""The demo: a generated day of traffic filed, assessed, arrived, controlled, paid and released."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, func, select

from clearway.clearance.lifecycle import AnyEvent, Arrival, Finding, InspectionResult, Payment
from clearway.clearance.service import record_transition
from clearway.config import Settings
from clearway.declarations import tables
from clearway.declarations.vocabulary import State
from clearway.intake.files import IngestSummary, run_batch
from clearway.intake.pipeline import Submission
from clearway.kit.database import make_engine, transaction
from clearway.migrations import upgrade
from clearway.reference.money import to_minor
from clearway.revenue import accounts
from clearway.revenue.tables import revenue_accounts
from clearway.risk import tables as risk_tables
from clearway.risk import watchlist
from clearway.risk.rules import stable_fraction
from clearway.runtime import prepare_for_batches
from clearway.security.roles import Principal
from clearway.traffic.export import write_traffic
from clearway.traffic.generator import WATCHLIST_SELLERS

ARRIVED_SHARE = 0.85
# Held shipments that officers have not reached yet: they make up the queue on the dashboard.
UNWORKED_SHARE = 0.3
FINDING_BY_FRAUD: dict[str, Finding] = {
    "undervaluation": "undervaluation",
    "split_consignment": "other",
    "misdescription": "other",
    "wrong_hs": "misclassification",
    "prohibited": "prohibited",
    "ioss_misuse": "other",
}
_TRUE_HS = re.compile(r"true HS ([0-9.]+)")
# Credit line of each intermediary's deferred-payment account: enough for a day of the demo's traffic.
ACCOUNT_CREDIT_EUR = Decimal(250_000)


@dataclass(frozen=True)
class _Truth:
    fraud: str | None
    detail: str
    true_value: Decimal


def _findings(truth: _Truth | None, value_minor: int, total_value_minor: int) -> dict[str, Any]:
    """What an officer records for the planted fraud: the structured finding the risk model learns from."""
    if truth is None or truth.fraud is None:
        return {"result": "compliant"}
    finding = FINDING_BY_FRAUD[truth.fraud]
    fields: dict[str, Any] = {"result": "non_compliant", "finding": finding, "detail": truth.detail[:1000]}
    if finding == "undervaluation":
        # The label's true value is in the shipment currency; scale the revenue-currency value by the ratio.
        declared = Decimal(total_value_minor) / 100
        ratio = truth.true_value / declared - 1 if declared else Decimal(1)
        fields["undervaluation_minor"] = max(1, int(value_minor * ratio))
    elif finding == "misclassification":
        found = _TRUE_HS.search(truth.detail)
        if found is None:
            fields.update(finding="other")
        else:
            fields["correct_hs_code"] = found.group(1).replace(".", "")
    return fields


def _seed_watchlist(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(risk_tables.watchlist)).scalar_one():
            return
        watchlist.add_entries(
            conn,
            [
                watchlist.WatchEntry(
                    tin=tin, name=name, reason="repeated undervaluation", source="demo intelligence"
                )
                for tin, name in WATCHLIST_SELLERS
            ],
        )


def _open_intermediary_accounts(engine: Engine, path: Path) -> int:
    """A deferred-payment account with a credit line for each account the day's traffic is filed for
    (intermediary collection model), so that those shipments are released on account at arrival instead
    of waiting for payment. Accounts already there (an earlier demo run) are kept as they are."""
    wanted: dict[str, accounts.Account] = {}
    with path.open() as lines:
        for line in lines:
            if '"intermediary"' not in line:
                continue
            record = json.loads(line)
            number = (record.get("fiscal") or {}).get("deferred_payment_account")
            if number and number.upper() not in wanted:
                wanted[number.upper()] = accounts.Account(
                    id=number.upper(),
                    party_id=record["filer"],
                    name=f"{record['filer']} deferred payment {number.upper()[:2]}",
                    kind=accounts.AccountKind.POST
                    if record.get("channel") == "post"
                    else accounts.AccountKind.CARRIER,
                    currency="EUR",
                    limit_kind=accounts.LimitKind.CREDIT,
                    limit_minor=to_minor(ACCOUNT_CREDIT_EUR, "EUR"),
                )
    table = revenue_accounts
    with engine.begin() as conn:
        taken = set(conn.execute(select(table.c.id).where(table.c.id.in_(sorted(wanted)))).scalars())
        return accounts.open_accounts(conn, [a for i, a in wanted.items() if i not in taken])


def _labels(path: Path) -> dict[tuple[str, str], _Truth]:
    with path.open(encoding="utf-8") as f:
        return {
            (d["filer"], d["lrn"]): _Truth(d["fraud"], d["detail"], Decimal(d["true_value"]))
            for d in map(json.loads, f)
        }


def _work_the_day(
    engine: Engine, labels: dict[tuple[str, str], _Truth], now: dt.datetime, progress: Progress
) -> None:
    s = tables.shipments
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                s.c.id,
                s.c.filer,
                s.c.lrn,
                s.c.lane,
                s.c.lodged_at,
                s.c.due_at_border_minor,
                s.c.value_minor,
                s.c.total_value_minor,
            ).where(s.c.state == State.ASSESSED.value)
        ).all()
    task = progress.add_task("arrivals and controls", total=len(rows))
    for shipment_id, filer, lrn, lane, lodged, due, value_minor, total_value_minor in rows:
        progress.advance(task)
        key = str(shipment_id)
        if stable_fraction(key) >= ARRIVED_SHARE:
            continue
        lodged = lodged if lodged.tzinfo else lodged.replace(tzinfo=dt.UTC)
        arrived = min(now, lodged + dt.timedelta(hours=2 + 20 * stable_fraction(key + "a")))
        state = _record(engine, shipment_id, Arrival(type="arrival", at=arrived, actor="ground handler"))
        if state is not State.HELD or stable_fraction(key + "q") < UNWORKED_SHARE:
            continue
        findings = _findings(labels.get((filer, lrn)), value_minor, total_value_minor)
        _control(engine, shipment_id, lane, findings, due, arrived, now, key)


# The demo's simulated history is the service's own: it sets the event times, and the names of the
# simulated handlers and officers are kept as stated names.
DEMO = Principal.of_system("demo")


def _record(engine: Engine, shipment_id: uuid.UUID, event: AnyEvent) -> State:
    with transaction(engine) as conn:
        return record_transition(conn, DEMO, shipment_id, event)


def _control(
    engine: Engine,
    shipment_id: uuid.UUID,
    lane: str,
    findings: dict[str, Any],
    due: int,
    arrived: dt.datetime,
    now: dt.datetime,
    key: str,
) -> None:
    # Control first (when the lane asks for one), then payment: the order the TRS milestones assume.
    state = State.HELD
    if lane != "green":
        checked = min(now, arrived + dt.timedelta(hours=1 + 8 * stable_fraction(key + "i")))
        result = InspectionResult(
            type="inspection_result",
            at=checked,
            actor="officer 0042",
            control="physical" if lane == "red" else "documents",
            **findings,
        )
        state = _record(engine, shipment_id, result)
        arrived = checked
    if due and state is State.HELD:
        paid_at = min(now, arrived + dt.timedelta(hours=0.5 + 4 * stable_fraction(key + "p")))
        _record(engine, shipment_id, Payment(type="payment", amount_minor=due, at=paid_at, actor="consignee"))


FILING_WINDOW = dt.timedelta(minutes=15)


def _as_filed(path: Path) -> Iterator[tuple[dt.datetime, list[Submission]]]:
    """The day's records in the order they were lodged, a batch per quarter of an hour, each accepted
    at the end of its quarter: acceptance times then follow lodgement as they would have live."""
    batch: list[Submission] = []
    window_end: dt.datetime | None = None
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            lodged = dt.datetime.fromisoformat(record["lodged_at"])
            if window_end is not None and lodged >= window_end:
                yield window_end, batch
                batch = []
            if not batch:
                window_end = lodged + FILING_WINDOW
            batch.append(Submission(record))
    if batch and window_end is not None:
        yield window_end, batch


def run_demo(settings: Settings, shipments: int, seed: int, folder: Path, console: Console) -> dict[str, Any]:
    upgrade(settings.database_url)
    prepare_for_batches()
    engine = make_engine(settings.database_url)
    _seed_watchlist(engine)
    now = dt.datetime.now(dt.UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    path = folder / f"traffic-{day.date().isoformat()}-seed{seed}.jsonl"
    count, labels_path = write_traffic(shipments, seed, path, day)
    opened = _open_intermediary_accounts(engine, path)
    summary = IngestSummary()
    with Progress(console=console) as progress:
        task = progress.add_task("file and assess", total=count)
        for received_at, batch in _as_filed(path):
            for status, lane, _, _ in run_batch(engine, batch, settings, received_at):
                summary.statuses[status] += 1
                if lane:
                    summary.lanes[lane] += 1
            progress.advance(task, len(batch))
        _work_the_day(engine, _labels(labels_path), now, progress)
    with engine.connect() as conn:
        states: dict[str, int] = dict(
            conn.execute(
                select(tables.shipments.c.state, func.count()).group_by(tables.shipments.c.state)
            ).all()
        )
    engine.dispose()
    return {
        "shipments": count,
        "ingest": dict(summary.statuses),
        "lanes": dict(summary.lanes),
        "states": states,
        "accounts_opened": opened,
        "data": str(path),
    }
