"""The one transition service through the API: who is recorded, when, If-Match, ids that cannot exist.

Regression tests for defects found when the parallel copies of the transition path were merged (issue
"One home for each concern", defects 1 to 3) and for stated times (issue "Trustworthy", defect 3)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearway.config import Settings
from clearway.declarations.tables import events
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app
from tests.sample import shipment

FILER = "DHLEXPRESS"


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    url: str

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}", **extra}

    def file(self, lrn: str, lodged: dt.datetime) -> str:
        record = shipment(
            re.sub(r"[^A-Za-z0-9-]", "", lrn)[:22],
            lodged_at=lodged.isoformat(),
            expected_arrival=(lodged + dt.timedelta(days=1)).isoformat(),
        )
        response = self.client.post("/v1/shipments", json=record, headers=self.headers("filer"))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def trail(self, sid: str) -> list[tuple[str, str, dt.datetime | None, str | None]]:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            rows = conn.execute(
                select(events.c.type, events.c.actor, events.c.stated_at, events.c.stated_by)
                .where(events.c.shipment_id == uuid.UUID(sid))
                .order_by(events.c.id)
            ).all()
        engine.dispose()
        return [(r.type, r.actor, r.stated_at, r.stated_by) for r in rows]


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    settings = Settings(database_url=db_url, auth="required", control_rate=0)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        made = {
            "filer": keys.create_key(conn, "filer", FILER),
            "officer": keys.create_key(conn, "officer"),
            "analyst": keys.create_key(conn, "analyst"),
        }
    engine.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, {name: k.key for name, k in made.items()}, db_url)


def _lodged() -> dt.datetime:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(microsecond=0)


def test_stored_actor_is_the_key_principal_not_a_claimed_officer(api: Api) -> None:
    sid = api.file("SPOOF1", _lodged())
    body = {"type": "arrival", "actor": "officer 0042"}
    done = api.client.post(f"/v1/shipments/{sid}/events", json=body, headers=api.headers("filer"))
    assert done.status_code == 200, done.text
    trail = api.trail(sid)
    arrival = next(e for e in trail if e[0] == "arrival")
    assert arrival[1].startswith(f"filer:{FILER} (") and "officer" not in arrival[1]
    assert arrival[3] == "officer 0042"  # what the caller claimed is kept as stated, apart
    # The sample owes duties at the border: the filer's payment releases it, and that release is the
    # system's decision, not the filer's.
    due = int(Decimal(done.json()["revenue"]["due_at_border"]) * 100)
    paid = api.client.post(
        f"/v1/shipments/{sid}/events",
        json={"type": "payment", "amount_minor": due},
        headers=api.headers("filer"),
    )
    assert paid.status_code == 200 and paid.json()["state"] == "released", paid.text
    trail = api.trail(sid)
    assert next(e for e in trail if e[0] == "payment")[1].startswith(f"filer:{FILER} (")
    released = next(e for e in trail if e[0] == "released")
    assert released[1] == "system" and released[3] is None
    # The assessment is the service's too, not the filer's.
    assert next(e for e in trail if e[0] == "assessed")[1] == "system"
    assert next(e for e in trail if e[0] == "filed")[1] == FILER


@pytest.mark.parametrize("tag", ['"1"', "1", ' "1" ', "*"])
def test_if_match_accepts_entity_tags_quoted_or_not(api: Api, tag: str) -> None:
    sid = api.file(f"IFM{abs(hash(tag)) % 1000}", _lodged())
    url = f"/v1/shipments/{sid}/events"
    done = api.client.post(url, json={"type": "arrival"}, headers=api.headers("filer", **{"If-Match": tag}))
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "held" and done.json()["version"] == 2  # held for payment


def test_if_match_stale_or_malformed_is_a_problem_not_a_500(api: Api) -> None:
    sid = api.file("IFM-BAD", _lodged())
    url = f"/v1/shipments/{sid}/events"
    stale = api.client.post(
        url, json={"type": "arrival"}, headers=api.headers("filer", **{"If-Match": '"7"'})
    )
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["version"] == 1 and stale.json()["type"].endswith("/stale-version")
    for bad in ('W/"1"', "one", '"1', ""):
        refused = api.client.post(
            url, json={"type": "arrival"}, headers=api.headers("filer", **{"If-Match": bad})
        )
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/if-match")
    # Nothing was recorded by the refused requests.
    assert [e[0] for e in api.trail(sid)] == ["filed", "assessed"]


def test_stated_time_is_kept_beside_the_server_time(api: Api) -> None:
    lodged = _lodged()
    sid = api.file("STATED1", lodged)
    scanned = lodged + dt.timedelta(minutes=30)
    before = dt.datetime.now(dt.UTC)
    body = {"type": "arrival", "at": scanned.isoformat()}
    done = api.client.post(f"/v1/shipments/{sid}/events", json=body, headers=api.headers("filer"))
    assert done.status_code == 200, done.text
    arrival = next(e for e in done.json()["events"] if e["type"] == "arrival")
    recorded = dt.datetime.fromisoformat(arrival["at"])
    assert recorded >= before - dt.timedelta(seconds=1)  # the server's clock, not the stated time
    (_, _, stated_at, _) = next(e for e in api.trail(sid) if e[0] == "arrival")
    assert stated_at is not None
    assert (stated_at if stated_at.tzinfo else stated_at.replace(tzinfo=dt.UTC)) == scanned


@pytest.mark.parametrize(
    ("who", "event", "at", "why"),
    [
        ("filer", {"type": "arrival"}, "2020-01-01T00:00:00Z", "before the lodgement"),
        ("filer", {"type": "arrival"}, "2999-01-01T00:00:00Z", "in the future"),
        ("filer", {"type": "payment", "amount_minor": 100}, None, "may not state the time"),
    ],
)
def test_stated_time_out_of_bounds_or_role_is_refused_naming_the_field(
    api: Api, who: str, event: dict[str, object], at: str | None, why: str
) -> None:
    lodged = _lodged()
    sid = api.file(f"STATED-{why[:6]}", lodged)
    when = at or (lodged + dt.timedelta(minutes=5)).isoformat()
    refused = api.client.post(
        f"/v1/shipments/{sid}/events", json={**event, "at": when}, headers=api.headers(who)
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert why in problem["detail"] and problem["errors"][0]["path"] == "/at"
    assert [e[0] for e in api.trail(sid)] == ["filed", "assessed"]


def test_analyst_records_no_event(api: Api) -> None:
    sid = api.file("ANALYST1", _lodged())
    refused = api.client.post(
        f"/v1/shipments/{sid}/events", json={"type": "arrival"}, headers=api.headers("analyst")
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/v1/risk/selections/45356476454501015552",
        "/v1/risk/selections/0",
        "/v1/risk/selections/-3",
        "/v1/risk/selections/9223372036854775808",
        "/v1/risk/selections/abc",
        "/v1/shipments/not-a-uuid",
        "/v1/shipments/00000000-0000-0000-0000-000000000000",
    ],
)
def test_ids_that_cannot_exist_are_404_problems(api: Api, path: str) -> None:
    answer = api.client.get(path, headers=api.headers("officer"))
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 404


def test_lifting_a_hold_id_past_64_bits_is_404(api: Api) -> None:
    sid = api.file("HOLD64", _lodged())
    answer = api.client.post(
        f"/v1/shipments/{sid}/holds/45356476454501015552/lift",
        json={"reason": "x"},
        headers=api.headers("officer"),
    )
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
