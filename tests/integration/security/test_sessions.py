"""Dashboard sessions: a change made with the session cookie must come from this site's pages (CSRF),
and logging out ends the session server-side, copied cookies included (issue "Trustworthy", defects 9
and 10: a POST with a foreign Origin placed a hold; a copied cookie stayed valid 12 hours after logout)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from clearway.config import Settings
from clearway.http.sessions import SESSION_COOKIE
from clearway.intake.pipeline import Submission, process_batch
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app
from tests.sample import recent

HOST = "testserver"


@dataclass
class World:
    app: FastAPI
    key: str
    shipment_id: str


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    settings = Settings(database_url=db_url, auth="required", control_rate=0)
    engine = make_engine(db_url)
    (result,) = process_batch(engine, [Submission(recent("CSRF1"))], settings)
    with engine.begin() as conn:
        key = keys.create_key(conn, "officer").key
    engine.dispose()
    yield World(create_app(settings), key, str(result.shipment_id))


def _signed_in(world: World) -> TestClient:
    client = TestClient(world.app, follow_redirects=False)
    answer = client.post("/login", data={"key": world.key, "next": "/"})
    assert answer.status_code == 303 and SESSION_COOKIE in client.cookies
    return client


HOLD = {"kind": "documents", "reason_code": "DOC-CHECK", "text": "Invoice please"}


def test_a_cookie_change_from_another_site_is_refused(world: World) -> None:
    with _signed_in(world) as client:
        url = f"/v1/shipments/{world.shipment_id}/holds"
        foreign = client.post(url, json=HOLD, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403 and foreign.json()["type"].endswith("/cross-site")
        without = client.post(url, json=HOLD)  # neither Origin nor Referer
        assert without.status_code == 403
        form = client.post(
            f"/officer/shipments/{world.shipment_id}/hold",
            data={"kind": "documents", "reason_code": "DOC-CHECK", "text": "x"},
            headers={"Origin": "https://evil.example"},
        )
        assert form.status_code == 403
        # Nothing was held by the refused requests; the site's own page may.
        holds = client.get(f"/v1/shipments/{world.shipment_id}/holds").json()["holds"]
        assert holds == []
        own = client.post(url, json=HOLD, headers={"Origin": f"http://{HOST}"})
        assert own.status_code == 200, own.text
        by_referer = client.get("/queue", headers={"Accept": "text/html"})
        assert by_referer.status_code == 200  # reads need no Origin


def test_a_key_in_a_header_needs_no_origin(world: World) -> None:
    with TestClient(world.app) as client:
        answer = client.post(
            f"/v1/shipments/{world.shipment_id}/holds",
            json=HOLD,
            headers={"Authorization": f"Bearer {world.key}"},
        )
        assert answer.status_code == 200, answer.text


def test_logout_ends_the_session_for_copied_cookies_too(world: World) -> None:
    with _signed_in(world) as client:
        cookie = client.cookies[SESSION_COOKIE]
        assert client.get("/queue", headers={"Accept": "text/html"}).status_code == 200
        out = client.post("/logout", headers={"Origin": f"http://{HOST}"})
        assert out.status_code == 303
    with TestClient(world.app, follow_redirects=False) as thief:
        thief.cookies.set(SESSION_COOKIE, cookie)
        assert thief.get("/queue", headers={"Accept": "text/html"}).status_code == 303  # to the login page
        assert thief.get("/v1/queue").status_code == 401
