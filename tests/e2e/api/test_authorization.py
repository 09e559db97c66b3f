"""Authorization matrix over every route of the app: every role and every endpoint, read from the routes.

Each route's admitted roles come from its `require(...)` dependencies, so endpoints added later are
covered without touching this file; a route that declares no roles must be on the short public list,
or the test fails naming it. Requests that must be refused never reach the endpoint (the dependency
refuses first), so refused POSTs have no side effects; admitted roles are exercised on GET routes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import select

from clearway.config import Settings
from clearway.http.security import SESSION_COOKIE
from clearway.intake.pipeline import Submission, process_batch
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.security.roles import Role
from clearway.security.tables import audit_log
from clearway.server import create_app
from tests.e2e.server import running_server
from tests.routes import Endpoint, endpoints
from tests.sample import recent

# Routes anyone may call: the public duty estimator (WCO FoS: transparency to buyers) and the login.
PUBLIC = ("/login", "/logout", "/v1/estimate", "/estimate")
FILER, OTHER_FILER, AGENCY = "DHLEXPRESS", "OTHERPOST", "PHYTO-DE"
CONSIGNEE = "Zofia Wisniewska-Kowalczyk"


def _is_public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC)


@dataclass
class World:
    client: TestClient
    keys: dict[str, str]
    shipment_id: str
    app: FastAPI


@pytest.fixture(scope="module")
def world(module_db_url: str) -> Iterator[World]:
    engine = make_engine(module_db_url)
    record = recent("AUTHZ1")
    record["parties"]["consignee"]["name"] = CONSIGNEE
    settings = Settings(database_url=module_db_url, auth="required", control_rate=0)
    (result,) = process_batch(engine, [Submission(record)], settings)
    assert result.status == "accepted", result.errors
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        made = {
            "filer": keys.create_key(conn, "filer", FILER),
            "other_filer": keys.create_key(conn, "filer", OTHER_FILER),
            "officer": keys.create_key(conn, "officer"),
            "agency": keys.create_key(conn, "agency", AGENCY),
            "analyst": keys.create_key(conn, "analyst"),
            "admin": keys.create_key(conn, "admin"),
            "expired": keys.create_key(conn, "officer", None, 1, now=now - dt.timedelta(days=2)),
            "revoked": keys.create_key(conn, "officer"),
        }
        keys.revoke_key(conn, made["revoked"].prefix)
    engine.dispose()
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield World(client, {name: k.key for name, k in made.items()}, str(result.shipment_id), app)


ROLE_KEYS = {
    Role.FILER: "filer",
    Role.OFFICER: "officer",
    Role.AGENCY: "agency",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


def _url(world: World, path: str) -> str:
    def value(match: re.Match[str]) -> str:
        return world.shipment_id if "shipment" in match.group(1) else "1"

    return re.sub(r"\{(\w+)(?::[^}]*)?\}", value, path)


def _call(world: World, e: Endpoint, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if e.method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return world.client.request(e.method, _url(world, e.path), **kwargs)


def _bearer(world: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[name]}"}


def test_every_route_declares_its_roles_or_is_public(world: World) -> None:
    found = endpoints(world.app)
    assert len(found) > 20  # the walk sees the included routers, not just the app's own routes
    undeclared = [f"{e.method} {e.path}" for e in found if e.roles is None and not _is_public(e.path)]
    assert undeclared == [], "routes without require(...): " + ", ".join(undeclared)


def test_core_policy(world: World) -> None:
    """The intended roles of the core endpoints, written out: a wrong declaration fails here."""
    declared = {(e.method, e.path): e.roles for e in endpoints(world.app)}
    officer_admin = frozenset({Role.OFFICER, Role.ADMIN})
    measurement = frozenset({Role.ANALYST, Role.OFFICER, Role.ADMIN})
    assert declared[("POST", "/v1/shipments")] == frozenset({Role.FILER, Role.ADMIN})
    assert declared[("GET", "/v1/shipments/{shipment_id}")] == frozenset(
        {Role.FILER, Role.OFFICER, Role.AGENCY, Role.ADMIN}
    )
    assert declared[("POST", "/v1/shipments/{shipment_id}/events")] == frozenset(
        {Role.FILER, Role.OFFICER, Role.AGENCY, Role.ADMIN}
    )
    assert declared[("GET", "/v1/trs")] == declared[("GET", "/v1/statistics/{dimension}")] == measurement
    assert declared[("GET", "/")] == declared[("GET", "/queue")] == officer_admin
    assert declared[("GET", "/measurement/release-times")] == measurement


def test_without_credentials_every_protected_route_is_401(world: World) -> None:
    wrong = []
    for e in endpoints(world.app):
        if e.roles is None:
            continue
        response = _call(world, e, {})
        if (
            response.status_code != 401
            or response.json()["type"] != "https://clearway.dev/problems/unauthenticated"
        ):
            wrong.append(f"{e.method} {e.path}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize(
    ("key", "kind", "says"),
    [("expired", "key-expired", "expired at"), ("revoked", "key-revoked", "was revoked at")],
)
def test_expired_and_revoked_keys_are_401_saying_so(world: World, key: str, kind: str, says: str) -> None:
    wrong = []
    for e in endpoints(world.app):
        if e.roles is None:
            continue
        response = _call(world, e, _bearer(world, key))
        body = response.json() if response.status_code == 401 else {}
        if body.get("type") != f"https://clearway.dev/problems/{kind}" or says not in body.get("detail", ""):
            wrong.append(f"{e.method} {e.path}: {response.status_code}")
    assert wrong == []


def test_unknown_and_malformed_keys_are_401(world: World) -> None:
    cases = {
        "cw_000000000000_nothing": "unknown-key",
        "hello": "malformed-key",
        world.keys["officer"][:-3] + "xyz": "unknown-key",
    }
    for key, kind in cases.items():
        response = world.client.get("/v1/trs", headers={"X-API-Key": key})
        assert response.status_code == 401 and response.json()["type"].endswith(kind), key
    basic = world.client.get("/v1/trs", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and basic.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(world: World, role: Role) -> None:
    """Refused roles get 403 on every method; admitted roles pass authorization on every GET route."""
    headers = _bearer(world, ROLE_KEYS[role])
    wrong = []
    for e in endpoints(world.app):
        if e.roles is None:
            continue
        admitted = role in e.roles
        if not admitted:
            response = _call(world, e, headers)
            if response.status_code != 403 or not response.json()["type"].endswith("forbidden-role"):
                wrong.append(f"{e.method} {e.path}: {response.status_code}, expected 403")
        elif e.method == "GET":
            response = _call(world, e, headers)
            refused = response.status_code == 401 or (
                response.status_code == 403 and "forbidden-role" in response.text
            )
            if refused:
                wrong.append(f"{e.method} {e.path}: {response.status_code}, expected admitted")
    assert wrong == []


def test_filer_sees_only_its_own_shipments(world: World) -> None:
    url = f"/v1/shipments/{world.shipment_id}"
    own = world.client.get(url, headers=_bearer(world, "filer"))
    assert own.status_code == 200 and own.json()["filer"] == FILER
    # The filer filed it, but the consignee is still masked outside the administration.
    assert own.json()["declaration"]["parties"]["consignee"]["name"] == "[protected]"
    assert own.json()["personal_data"] == "masked"
    missing = f"/v1/shipments/{uuid.uuid4()}"
    for name in ("other_filer", "agency"):  # an agency without a matching subscription sees nothing
        other = world.client.get(url, headers=_bearer(world, name))
        absent = world.client.get(missing, headers=_bearer(world, name))
        assert other.status_code == absent.status_code == 404, name
        # Same answer as for a shipment that does not exist: existence does not leak.
        assert other.json()["detail"] == f"no shipment {world.shipment_id}"
        event = world.client.post(f"{url}/events", json={"type": "arrival"}, headers=_bearer(world, name))
        assert event.status_code == 404, name


def test_every_shipment_read_open_to_filers_is_scoped_to_the_filer(world: World) -> None:
    """Routes added later (holds, payment request, ...) are covered too: another filer gets the same 404
    as for a shipment that does not exist, the owner does not."""
    reads = [
        e
        for e in endpoints(world.app)
        if e.method == "GET" and "{shipment_id}" in e.path and e.roles and Role.FILER in e.roles
    ]
    assert len(reads) >= 3, reads  # the shipment, its holds, its payment request
    for e in reads:
        own = _call(world, e, _bearer(world, "filer"))
        other = _call(world, e, _bearer(world, "other_filer"))
        assert own.status_code == 200, (e.path, own.text)
        assert other.status_code == 404, (e.path, other.text)
        assert other.json()["detail"] == f"no shipment {world.shipment_id}", e.path


def test_filer_files_for_itself_and_reports_only_its_events(world: World) -> None:
    record = recent("AUTHZ2")
    refused = world.client.post("/v1/shipments", json=record, headers=_bearer(world, "other_filer"))
    assert refused.status_code == 403 and refused.json()["pointer"] == "/filer"
    assert f"filer '{FILER}' is not the key's filer '{OTHER_FILER}'" in refused.json()["detail"]
    batch = world.client.post("/v1/shipments", json=[record], headers=_bearer(world, "other_filer"))
    assert batch.status_code == 403 and batch.json()["pointer"] == "/0/filer"
    url = f"/v1/shipments/{world.shipment_id}/events"
    control = {"type": "inspection_result", "control": "physical", "result": "compliant"}
    decided = world.client.post(url, json=control, headers=_bearer(world, "filer"))
    assert decided.status_code == 403 and "officer's decision" in decided.json()["detail"]


def test_officer_reads_the_consignee_and_the_read_is_audited(world: World) -> None:
    response = world.client.get(f"/v1/shipments/{world.shipment_id}", headers=_bearer(world, "officer"))
    assert response.status_code == 200
    assert response.json()["declaration"]["parties"]["consignee"]["name"] == CONSIGNEE
    assert response.json()["personal_data"] == "shown"
    analyst = world.client.get(f"/v1/shipments/{world.shipment_id}", headers=_bearer(world, "analyst"))
    assert analyst.status_code == 403
    engine = world.app.state.engine
    with engine.connect() as conn:
        prefix = keys.parse_key(world.keys["officer"])
        assert prefix is not None
        reads = conn.execute(
            select(audit_log.c.actor).where(
                audit_log.c.action == "personal_data.read",
                audit_log.c.subject == world.shipment_id,
            )
        ).scalars()
        assert f"officer ({prefix[0]})" in list(reads)


def test_changes_through_the_api_are_audited_with_the_key(world: World) -> None:
    record = recent("AUTHZ3")
    record["parties"]["consignee"]["name"] = "Consignee AUTHZ3"
    filed = world.client.post("/v1/shipments", json=record, headers=_bearer(world, "filer"))
    assert filed.status_code == 201, filed.text
    sid = filed.json()["id"]
    arrived = world.client.post(
        f"/v1/shipments/{sid}/events", json={"type": "arrival"}, headers=_bearer(world, "officer")
    )
    assert arrived.status_code == 200, arrived.text
    refused = world.client.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"}, headers={})
    assert refused.status_code == 401
    log = audit_log
    with world.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(log.c.actor, log.c.subject, log.c.detail)
            .where(log.c.action == "api.change")
            .order_by(log.c.id)
        ).all()
    prefixes = {name: keys.parse_key(world.keys[name]) for name in ("filer", "officer")}
    filer_prefix, officer_prefix = (p[0] if p else "" for p in prefixes.values())
    mine = [(r.actor, r.subject, r.detail["route"]) for r in rows if r.subject in (None, sid)]
    assert (f"filer:{FILER} ({filer_prefix})", None, "/v1/shipments") in mine
    # One entry for the arrival: the refused attempt left none.
    assert [m for m in mine if m[1] == sid] == [
        (f"officer ({officer_prefix})", sid, "/v1/shipments/{shipment_id}/events")
    ]


def test_dashboard_login_session_and_revocation(world: World) -> None:
    client = world.client
    html = {"Accept": "text/html"}
    to_login = client.get("/queue?x=1", headers=html)
    assert to_login.status_code == 303 and to_login.headers["location"] == "/login?next=%2Fqueue%3Fx%3D1"
    assert client.get("/queue").status_code == 401  # not a browser: the API's answer
    bad = client.post("/login", data={"key": "cw_000000000000_nope", "next": "/queue"})
    assert bad.status_code == 401 and "This key is not known." in bad.text
    expired = client.post("/login", data={"key": world.keys["expired"], "next": "/"})
    assert expired.status_code == 401 and "This key has expired." in expired.text
    with TestClient(world.app, follow_redirects=False) as officer:
        engine = world.app.state.engine
        with engine.begin() as conn:
            key = keys.create_key(conn, "officer")
        signed_in = officer.post("/login", data={"key": key.key, "next": "//evil.example/"})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"  # no open redirect
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}={key.prefix}.") and "HttpOnly" in cookie
        assert key.key.split("_", 2)[2] not in cookie  # the secret never travels in the cookie
        assert officer.get("/queue", headers=html).status_code == 200
        forged = officer.cookies[SESSION_COOKIE][:-4] + "0000"
        officer.cookies.set(SESSION_COOKIE, forged)
        assert officer.get("/queue", headers=html).status_code == 303
        officer.post("/login", data={"key": key.key, "next": "/queue"})
        with engine.begin() as conn:
            keys.revoke_key(conn, key.prefix)
        assert officer.get("/queue", headers=html).status_code == 303  # revocation ends the session
    with TestClient(world.app, follow_redirects=False) as analyst:
        analyst.post("/login", data={"key": world.keys["analyst"], "next": "/"})
        assert analyst.get("/queue", headers=html).status_code == 403
        assert analyst.get("/measurement/release-times", headers=html).status_code != 403


def test_auth_off_changes_nothing_for_pages(module_db_url: str) -> None:
    app = create_app(Settings(database_url=module_db_url, auth="off"))
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/queue", headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/v1/trs").status_code != 401


@pytest.mark.browser
def test_sign_in_in_chromium(browser: Browser, module_db_url: str) -> None:
    engine = make_engine(module_db_url)
    with engine.begin() as conn:
        key = keys.create_key(conn, "officer", label="browser test")
    engine.dispose()
    with running_server(module_db_url, auth="required") as base:
        page = browser.new_page()
        page.goto(base + "/queue")
        page.wait_for_url("**/login?next=%2Fqueue")
        page.get_by_label("API key").fill("cw_000000000000_wrong")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == "This key is not known."
        page.get_by_label("API key").fill(key.key)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/queue")
        assert page.get_by_role("heading", name="Held shipments").is_visible()
        cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.goto(base + "/measurement/release-times")  # the session carries over to other pages
        assert "/login" not in page.url
        page.close()
