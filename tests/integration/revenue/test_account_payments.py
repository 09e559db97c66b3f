"""Account payments and adjustments are exact in the currency and bounded: a 422 naming `amount`, never
a 500 (issue "Trustworthy", defect 7: 0.001, 1e-30, 1e30 and 99999999999999999 answered 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from clearway.config import Settings
from clearway.server import create_app

ACCOUNT = {
    "id": "POST-9",
    "party_id": "DEPOST",
    "name": "Post",
    "kind": "post",
    "currency": "EUR",
    "limit": "50",
}


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(
        create_app(Settings(database_url=db_url, auth="off")), raise_server_exceptions=False
    ) as c:
        assert c.post("/v1/accounts", json=ACCOUNT).status_code == 201
        yield c


@pytest.mark.parametrize("amount", ["0.001", 1e-30, 1e30, "99999999999999999", "1E+40", "-1", "0", "NaN"])
def test_bad_amounts_are_422_naming_the_field(client: TestClient, amount: object) -> None:
    # A negative adjustment is a credit, and allowed; a negative payment is not.
    paths = ["/v1/accounts/POST-9/payments"] + ([] if amount == "-1" else ["/v1/accounts/POST-9/adjustments"])
    for path in paths:
        answer = client.post(path, json={"amount": amount, "reason": "correction"})
        assert answer.status_code == 422, (path, amount, answer.text)
        assert answer.json()["errors"][0]["path"] == "/amount"


def test_an_exact_amount_is_taken(client: TestClient) -> None:
    answer = client.post("/v1/accounts/POST-9/payments", json={"amount": "4.74"})
    assert answer.status_code == 201 and answer.json()["amount"] == "4.74"
