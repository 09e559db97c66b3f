"""Collection models and the ledger against SQLite and PostgreSQL: release on account under a credit
limit, payment requests, payments, returns and refunds, statements, atomic posting, and the API.

The sample shipment (tests/sample.py) owes EUR 14.74 at the border: flat duty 2 x 3.00 = 6.00 and VAT
19 % on 28.75 (5.46) and on 17.25 (3.28), so VAT 8.74.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from clearway.clearance.lifecycle import Arrival, Payment, Return
from clearway.config import Settings
from clearway.declarations.tables import holds
from clearway.declarations.vocabulary import State
from clearway.kit.database import make_engine
from clearway.revenue import accounts, ledger
from clearway.revenue.collection import is_valid_reference, payment_request
from clearway.revenue.errors import AccountError, UnbalancedPosting, UnknownAccount
from clearway.revenue.tables import ledger_entries
from clearway.server import create_app
from tests.integration.intake.test_pipeline import run
from tests.sample import shipment
from tests.transitions import record

AT = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
E = ledger_entries.c


def _open(engine: Engine, account_id: str = "ACC-1", limit: str = "20.00", party: str = "CARRIER-X") -> None:
    data = {"id": account_id, "party_id": party, "name": "Express Carrier", "kind": "carrier"}
    with engine.begin() as conn:
        accounts.open_accounts(conn, [accounts.parse_account({**data, "currency": "EUR", "limit": limit})])


def _file(
    engine: Engine, *lrns: str, account: str | None = "ACC-1", model: str = "intermediary"
) -> list[uuid.UUID]:
    fiscal: dict[str, Any] = {"collection_model": model}
    if account:
        fiscal["deferred_payment_account"] = account
    results = run(engine, *(shipment(lrn, fiscal=fiscal) for lrn in lrns))
    assert [r.status for r in results] == ["accepted"] * len(lrns)
    return [r.shipment_id for r in results if r.shipment_id]


def _arrive(engine: Engine, sid: uuid.UUID, at: dt.datetime = AT) -> State:
    return record(engine, sid, Arrival(type="arrival", at=at))


def _balance(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return ledger.balances(conn, [name])[name]


def _open_holds(engine: Engine, sid: uuid.UUID) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(holds.c.kind).where(holds.c.shipment_id == sid, holds.c.closed_at.is_(None))
        )
        return [k for (k,) in rows]


def _assert_every_posting_set_balances(engine: Engine) -> None:
    with engine.connect() as conn:
        sums = conn.execute(
            select(E.posting_id, E.currency, func.sum(E.amount_minor)).group_by(E.posting_id, E.currency)
        ).all()
    assert sums and all(total == 0 for _, _, total in sums)


def test_credit_limit_stops_release_on_account(engine: Engine) -> None:
    _open(engine, limit="20.00")
    l1, l2, l3 = _file(engine, "L1", "L2", "L3")
    assert _arrive(engine, l1) is State.RELEASED  # 14.74 <= 20.00: on account
    assert _balance(engine, "receivable:account:ACC-1") == 1474
    # 14.74 + 14.74 = 29.48 > 20.00: not on account, held for payment like a buyer-model shipment
    assert _arrive(engine, l2) is State.HELD
    assert _open_holds(engine, l2) == ["payment"]
    assert _balance(engine, "receivable:account:ACC-1") == 1474
    with engine.begin() as conn:
        accounts.pay(conn, "acc-1", Decimal("14.74"), AT, "bank transfer 1")
    assert _balance(engine, "receivable:account:ACC-1") == 0
    assert _arrive(engine, l3) is State.RELEASED  # room again after the payment
    # l2 is paid directly and released; its dues never touch the account
    assert record(engine, l2, Payment(type="payment", amount_minor=1474, at=AT)) is State.RELEASED
    assert _balance(engine, "receivable:account:ACC-1") == 1474
    assert _balance(engine, "receivable:buyer") == 0
    assert _balance(engine, "revenue:vat") == -3 * 874 and _balance(engine, "revenue:flat_duty") == -3 * 600
    with engine.connect() as conn:
        assert accounts.secured_on_account(conn, [l1, l2, l3]) == {l1: True, l2: False, l3: True}
        assert payment_request(conn, l1)["status"] == "on_account"  # type: ignore[index]
    _assert_every_posting_set_balances(engine)


def test_unknown_account_or_currency_mismatch_is_not_on_account(engine: Engine) -> None:
    (sid,) = _file(engine, "U1", account="NO-SUCH")
    assert _arrive(engine, sid) is State.HELD
    assert _open_holds(engine, sid) == ["payment"]
    with engine.begin() as conn:
        accounts.open_accounts(
            conn,
            [
                accounts.parse_account(
                    {
                        "id": "GBP-1",
                        "party_id": "P",
                        "name": "UK",
                        "kind": "post",
                        "currency": "GBP",
                        "limit": "1000",
                    }
                )
            ],
        )
    (gbp,) = _file(engine, "U2", account="GBP-1")
    assert _arrive(engine, gbp) is State.HELD  # EUR dues cannot go on a GBP account


def test_filer_account_and_batch_securing_in_order(engine: Engine) -> None:
    """Without an account reference the filer's account is used; in a batch the limit is consumed in
    the order given: 30.00 holds two shipments of 14.74 (29.48) and not a third (44.22)."""
    _open(engine, "DHL-1", limit="30.00", party="DHLEXPRESS")  # the sample's filer
    ids = _file(engine, "F1", "F2", "F3", account=None)
    with engine.begin() as conn:
        secured = accounts.secure_on_account(conn, ids, AT)
    assert [secured[i] for i in ids] == [True, True, False]
    assert _balance(engine, "receivable:account:DHL-1") == 2948
    with engine.begin() as conn:  # securing again changes nothing
        assert accounts.secure_on_account(conn, ids, AT) == secured
    assert _balance(engine, "receivable:account:DHL-1") == 2948


def test_buyer_payment_request_then_return_refunds_what_was_paid(engine: Engine) -> None:
    (sid,) = _file(engine, "B1", account=None, model="buyer")
    assert _arrive(engine, sid) is State.HELD
    with engine.connect() as conn:
        request = payment_request(conn, sid)
    assert request is not None
    assert (request["status"], request["amount_due"], request["outstanding"]) == ("open", "14.74", "14.74")
    assert request["by_tax_type"] == {"flat_duty": "6.00", "vat": "8.74"}
    assert is_valid_reference(request["reference"]) and request["reference"].startswith("RF")
    assert record(engine, sid, Payment(type="payment", amount_minor=1000, at=AT)) is State.HELD
    with engine.connect() as conn:
        assert payment_request(conn, sid)["outstanding"] == "4.74"  # type: ignore[index]
    assert record(engine, sid, Payment(type="payment", amount_minor=474, at=AT)) is State.RELEASED
    with engine.connect() as conn:
        assert payment_request(conn, sid)["status"] == "paid"  # type: ignore[index]
    assert _balance(engine, "cash") == 1474
    assert record(engine, sid, Return(type="return", at=AT + dt.timedelta(days=3))) is State.RETURNED
    with engine.connect() as conn:
        refunds = conn.execute(
            select(func.sum(E.amount_minor)).where(E.kind == "refund", E.ledger_account == "cash")
        ).scalar_one()
        position = ledger.shipment_postings(conn, [sid])[sid]
    assert refunds == -1474  # refunds equal payments
    assert (position.paid_minor, position.assessed, position.refunded) == (0, {}, True)
    for name in ("cash", "receivable:buyer", "revenue:vat", "revenue:flat_duty"):
        assert _balance(engine, name) == 0, name
    _assert_every_posting_set_balances(engine)


def test_return_of_an_on_account_shipment_credits_the_account_and_statement(engine: Engine) -> None:
    _open(engine, limit="100.00")
    with engine.begin() as conn:  # an October charge gives the November statement an opening balance
        accounts.adjust(conn, "ACC-1", Decimal("5.00"), "late fee", dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    a, b = _file(engine, "R1", "R2")
    assert _arrive(engine, a) is State.RELEASED and _arrive(engine, b) is State.RELEASED
    with engine.begin() as conn:
        accounts.pay(conn, "ACC-1", Decimal("10.00"), AT + dt.timedelta(days=1), "TRF-77")
    assert record(engine, a, Return(type="return", at=AT + dt.timedelta(days=2))) is State.RETURNED
    with engine.connect() as conn:
        doc = accounts.statement(conn, "ACC-1", "2026-11")
    # 5.00 + 14.74 + 14.74 - 10.00 - 14.74 = 9.74
    assert (doc["opening_balance"], doc["closing_balance"], doc["available"]) == ("5.00", "9.74", "90.26")
    assert [(x["date"], x["kind"], x["debit"], x["credit"], x["balance"]) for x in doc["lines"]] == [
        ("2026-11-28", "assessment", "14.74", "", "19.74"),
        ("2026-11-28", "assessment", "14.74", "", "34.48"),
        ("2026-11-29", "payment", "", "10.00", "24.48"),
        ("2026-11-30", "refund", "", "14.74", "9.74"),
    ]
    assert doc["totals"] == {
        "assessment": "29.48",
        "payment": "-10.00",
        "refund": "-14.74",
        "adjustment": "0.00",
    }
    csv_text = accounts.statement_csv(doc)
    assert csv_text.splitlines()[0] == "date,kind,shipment_id,reference,debit,credit,balance"
    assert csv_text.splitlines()[1] == "2026-11-01,opening,,,,,5.00"
    assert csv_text.splitlines()[4] == "2026-11-29,payment,,TRF-77,,10.00,24.48"
    assert csv_text.splitlines()[-1] == ",closing,,,,,9.74"
    with engine.connect() as conn:
        assert accounts.statement(conn, "ACC-1", "2026-10")["closing_balance"] == "5.00"
        with pytest.raises(AccountError) as exc:
            accounts.statement(conn, "ACC-1", "2026-13")
        assert exc.value.field == "month"
    _assert_every_posting_set_balances(engine)


def test_nothing_is_posted_when_any_set_of_a_batch_is_wrong(engine: Engine) -> None:
    _open(engine)
    good = ledger.payment(100, "EUR", "receivable:account:ACC-1", AT, "ok")
    bad = ledger.PostingSet(
        ledger.PostingKind.ADJUSTMENT,
        (ledger.Entry("receivable:account:ACC-1", 100, "EUR"),),
        AT,
        "one-legged",
    )
    with pytest.raises(UnbalancedPosting, match="one-legged"), engine.begin() as conn:
        ledger.post(conn, [good, bad])
    with pytest.raises(RuntimeError), engine.begin() as conn:
        ledger.post(conn, [good])
        raise RuntimeError("a later step of the same transaction fails")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one() == 0


def test_account_input_errors_name_the_field(engine: Engine) -> None:
    base = {"id": "A-1", "party_id": "P", "name": "N", "kind": "post", "currency": "EUR", "limit": "10"}
    for field, value in (
        ("kind", "bank"),
        ("currency", "EUX"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("id", "a b"),
    ):
        with pytest.raises(AccountError) as exc:
            accounts.parse_account({**base, field: value})
        assert exc.value.field == field
    _open(engine, "A-1")
    with pytest.raises(AccountError, match="already exists"), engine.begin() as conn:
        accounts.open_accounts(conn, [accounts.parse_account(base)])
    with pytest.raises(UnknownAccount), engine.begin() as conn:
        accounts.pay(conn, "NOPE", Decimal(1))


# API ----------------------------------------------------------------------------------------------------


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db_url, auth="off", control_rate=0))) as c:
        yield c


def test_api_accounts_statement_payment_request_and_simulation(client: TestClient) -> None:
    body = {
        "id": "post-1",
        "party_id": "DEPOST",
        "name": "Post",
        "kind": "post",
        "currency": "EUR",
        "limit": "50",
    }
    created = client.post("/v1/accounts", json=body)
    assert created.status_code == 201 and created.json()["id"] == "POST-1"
    again = client.post("/v1/accounts", json=body)
    assert again.status_code == 422 and again.json()["errors"][0]["path"] == "/id"
    bad = client.post("/v1/accounts", json={**body, "id": "X", "currency": "EUX"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/currency"

    engine = cast(FastAPI, client.app).state.engine
    sid = str(_file(engine, "P1", account="POST-1")[0])  # intermediary, on account POST-1
    # History with its own time (the arrival in November) is recorded by the service, not stated by a caller.
    assert _arrive(engine, uuid.UUID(sid)) is State.RELEASED
    assert client.get(f"/v1/shipments/{sid}").json()["state"] == "released"
    paid = client.post("/v1/accounts/POST-1/payments", json={"amount": "4.74", "at": "2026-11-29T00:00:00Z"})
    assert paid.status_code == 201
    assert (
        client.post("/v1/accounts/POST-1/payments", json={"amount": "x"}).json()["errors"][0]["path"]
        == "/amount"
    )
    assert client.get("/v1/accounts/POST-1").json()["balance"] == "10.00"
    statement = client.get("/v1/accounts/POST-1/statement", params={"month": "2026-11", "format": "csv"})
    assert statement.status_code == 200 and statement.headers["content-type"].startswith("text/csv")
    assert statement.text.splitlines()[-1] == ",closing,,,,,10.00"
    assert client.get("/v1/accounts/POST-1/statement", params={"month": "11/2026"}).status_code == 422
    assert client.get("/v1/accounts/NOPE/statement", params={"month": "2026-11"}).status_code == 404
    page = client.get("/revenue/accounts", params={"account": "POST-1", "month": "2026-11"})
    assert page.status_code == 200 and 'data-account="POST-1"' in page.text
    assert '<th class="num">10.00</th>' in page.text  # closing balance: 14.74 charged - 4.74 paid
    assert client.get("/revenue/accounts", params={"account": "NOPE"}).status_code == 404

    buyer = str(_file(engine, "P2", account=None, model="buyer")[0])
    request = client.get(f"/v1/shipments/{buyer}/payment-request").json()
    assert (request["status"], request["outstanding"]) == ("open", "14.74")
    assert client.get(f"/v1/shipments/{uuid.uuid4()}/payment-request").status_code == 404

    sim = client.get(
        "/v1/simulations/de-minimis",
        params={"jurisdiction": "EU", "duty_threshold": "150", "tax_threshold": "0"},
    )
    assert sim.status_code == 200 and sim.json()["shipments"] == 2 and sim.json()["net_effect"] == "0.00"
    wrong = client.get(
        "/v1/simulations/de-minimis",
        params={"jurisdiction": "EU", "duty_threshold": "-5", "tax_threshold": "0"},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "/duty_threshold"
    empty = client.get(
        "/v1/simulations/de-minimis",
        params={"jurisdiction": "EU", "duty_threshold": "0", "tax_threshold": "0", "from": "2030-01-01"},
    )
    assert empty.status_code == 404


def test_api_registrations(client: TestClient) -> None:
    csv_body = "number,scheme,holder,valid_from\nIM2760000001,IOSS,Shop GmbH,2021-07-01\n"
    loaded = client.post("/v1/registrations", content=csv_body, headers={"content-type": "text/csv"})
    assert loaded.status_code == 200 and loaded.json() == {"imported": 1}
    bad = client.post("/v1/registrations", json={"registrations": [{"number": "IM1", "holder": "x"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/number"
    assert client.get("/v1/registrations/IM2760000001").json()["holder"] == "Shop GmbH"
    assert client.get("/v1/registrations/IM2760000002").status_code == 404
    items = [
        {"key": "a", "number": "IM2760000001", "value": "150.01", "currency": "EUR", "date": "2026-11-27"},
        {"key": "b", "number": "IM2760000001", "value": "150.00", "currency": "EUR", "date": "2026-11-27"},
    ]
    checked = client.post("/v1/registrations/check", json={"items": items}).json()
    assert checked["findings"] == [
        {
            "key": "a",
            "code": "registration.above_limit",
            "detail": "consignment value 150.01 EUR is above the IOSS limit of 150 EUR: "
            "tax is due at the border",
        }
    ]
    revoked = client.post("/v1/registrations/IM2760000001/revoke", json={"at": "2026-11-01T00:00:00Z"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"].startswith("2026-11-01")
    again = client.post("/v1/registrations/check", json={"items": items[1:]}).json()
    assert [f["code"] for f in again["findings"]] == ["registration.revoked"]


def test_cli_accounts_registrations_and_simulation(db_url: str, tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from clearway.cli import app

    cli = CliRunner()
    db = ["--db", db_url]
    account = ["accounts", "open", "--currency", "EUR", "--name", "Marketplace", "--party", "MARKET", *db]
    opened = cli.invoke(app, [*account, "--id", "mp-1", "--kind", "marketplace", "--limit", "100"])
    assert opened.exit_code == 0, opened.output
    bad = cli.invoke(app, [*account, "--id", "mp-2", "--kind", "shop", "--limit", "1"])
    assert bad.exit_code == 2 and "kind:" in bad.output
    paid = cli.invoke(
        app, ["accounts", "pay", "--account", "MP-1", "--amount", "7.50", "--at", "2026-11-03", *db]
    )
    assert paid.exit_code == 0, paid.output
    statement = cli.invoke(app, ["accounts", "statement", "--account", "MP-1", "--month", "2026-11", *db])
    assert statement.exit_code == 0
    assert statement.output.splitlines()[2] == "2026-11-03,payment,,payment on account MP-1,,7.50,-7.50"
    as_json = cli.invoke(
        app, ["accounts", "statement", "--account", "MP-1", "--month", "2026-11", "--format", "json", *db]
    )
    assert json.loads(as_json.output.splitlines()[-1])["closing_balance"] == "-7.50"

    registry = tmp_path / "registry.csv"
    registry.write_text("number,holder,valid_from\nIM2760000001,Shop GmbH,2021-07-01\n", encoding="utf-8")
    assert cli.invoke(app, ["registrations", "import", str(registry), *db]).exit_code == 0
    check = [
        "registrations",
        "check",
        "--number",
        "IM2760000001",
        "--currency",
        "EUR",
        "--date",
        "2026-11-27",
    ]
    assert cli.invoke(app, [*check, "--value", "150", *db]).exit_code == 0
    above = cli.invoke(app, [*check, "--value", "180", *db])
    assert above.exit_code == 1
    assert [f["code"] for f in json.loads(above.output.splitlines()[-1])["findings"]] == [
        "registration.above_limit"
    ]

    run(make_engine(db_url), shipment("C1"))
    sim = ["simulate", "de-minimis", "--jurisdiction", "EU", "--duty-threshold", "0", "--tax-threshold", "50"]
    result = cli.invoke(app, [*sim, *db])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1])["revenue_total"]["change"] == "-11.74"
    assert cli.invoke(app, [*sim, "--from", "2031-01-01", *db]).exit_code == 2
