"""The measurement dashboard in Debian Chromium, against a real server with shipments whose release
times are known: filed through the API, their history recorded with explicit event times through the
transition service as a system principal (only the service itself sets event times; an API caller's
stated time is kept apart as `stated_at`), so every headline is predictable.

Seeded (arrival two hours after lodgement, three days ago; release = the payment that settles it):

    office    lrn  arrival → release                 office    lrn  arrival → release
    DELEJ004  L1   2 h                               DEFRA004  F1   20 h
    DELEJ004  L2   5 h                               DEFRA004  F2   6 h (red: inspected at 3 h, paid at 6 h)
    DELEJ004  L3   30 h                              DEFRA004  F3   arrived, not released
    DELEJ004  L4   not arrived

All: 7 shipments, 6 arrived, 5 released, 4 of 6 within 24 h, median 6 h, P90 = 20 + 0.6 * (30 - 20) = 26 h.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page
from pydantic import TypeAdapter
from sqlalchemy import Engine, select

from clearway.clearance.lifecycle import ShipmentEvent
from clearway.declarations.tables import shipments
from clearway.kit.database import make_engine
from tests.e2e.server import running_server
from tests.sample import PROHIBITED_ITEM, shipment
from tests.transitions import record

pytestmark = pytest.mark.browser

LEIPZIG, FRANKFURT = "DELEJ004", "DEFRA004"
_events: TypeAdapter[Any] = TypeAdapter(ShipmentEvent)
LODGED = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).replace(microsecond=0)
ARRIVED = LODGED + dt.timedelta(hours=2)


def _record(lrn: str, office: str, prohibited: bool = False) -> dict[str, Any]:
    """Like test_api.now_record, lodged three days ago so that every release lies in the past."""
    record = shipment(
        lrn,
        lodged_at=LODGED.isoformat(),
        expected_arrival=(LODGED + dt.timedelta(days=1)).isoformat(),
        office_of_entry=office,
    )
    record["parties"]["consignee"]["name"] = f"Consignee {lrn}"
    if prohibited:
        record["goods"][1] = dict(PROHIBITED_ITEM)
    return record


def _event(engine: Engine, sid: str, kind: str, after_hours: float, **fields: Any) -> str:
    at = ARRIVED + dt.timedelta(hours=after_hours)
    event = _events.validate_python({"type": kind, "at": at, **fields})
    return str(record(engine, uuid.UUID(sid), event))


def _due(engine: Engine, sid: str) -> int:
    """What is due at the border (an overpayment is refused)."""
    with engine.connect() as conn:
        due = conn.execute(select(shipments.c.due_at_border_minor).where(shipments.c.id == uuid.UUID(sid)))
        return int(due.scalar_one())


def _seed(api: httpx.Client, engine: Engine) -> None:
    plan: list[tuple[str, str, float | None]] = [
        ("L1", LEIPZIG, 2),
        ("L2", LEIPZIG, 5),
        ("L3", LEIPZIG, 30),
        ("F1", FRANKFURT, 20),
        ("F3", FRANKFURT, None),
    ]
    records = [_record(lrn, office) for lrn, office, _ in plan]
    records += [_record("L4", LEIPZIG), _record("F2", FRANKFURT, prohibited=True)]
    body = api.post("/v1/shipments", json={"shipments": records}).json()
    assert body["accepted"] == 7, body
    ids = {r["lrn"]: r["id"] for r in body["results"]}
    for lrn, _, release_after in plan:
        assert _event(engine, ids[lrn], "arrival", 0) == "held"  # duties are due at the border
        if release_after is not None:
            due = _due(engine, ids[lrn])
            assert _event(engine, ids[lrn], "payment", release_after, amount_minor=due) == "released"
    assert _event(engine, ids["F2"], "arrival", 0) == "held"
    assert _event(engine, ids["F2"], "inspection_result", 3, result="compliant") == "held"
    assert _event(engine, ids["F2"], "payment", 6, amount_minor=_due(engine, ids["F2"])) == "released"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running_server(module_db_url) as url:
        with httpx.Client(base_url=url, timeout=30) as api:
            engine = make_engine(module_db_url)
            _seed(api, engine)
            engine.dispose()
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def _open(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url


def _headline(page: Page, name: str) -> str:
    return page.get_by_test_id(f"headline-{name}").locator(".n").inner_text()


def _values(page: Page, selector: str) -> list[float]:
    return [float(v) for v in page.locator(selector).evaluate_all("els => els.map(e => e.dataset.value)")]


def _apply(page: Page, **fields: str) -> None:
    form = page.locator("#filters")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name="Apply").click()


def test_release_times_headline_and_charts(page: Page, base: str) -> None:
    _open(page, base + "/")
    page.get_by_role("link", name="Measurement").click()
    page.wait_for_url("**/measurement/release-times")
    assert [_headline(page, n) for n in ("shipments", "arrived", "released")] == ["7", "6", "5"]
    assert _headline(page, "within-24h") == "66.7 %"
    assert (_headline(page, "median"), _headline(page, "p90")) == ("6.0 h", "26.0 h")

    bins = _values(page, "#histogram rect[data-value]")
    assert len(bins) == 49 and sum(bins) == 5  # 48 one-hour bins and the overflow bin
    assert page.locator('#histogram rect[data-label="30"]').get_attribute("data-value") == "1"
    curve = page.locator("#curve circle[data-value]")
    assert curve.count() == 49
    assert curve.and_(page.locator('[data-x="24"]')).get_attribute("data-value") == "0.666667"
    assert curve.and_(page.locator('[data-x="48"]')).get_attribute("data-value") == "0.833333"

    total = page.locator('#intervals tr[data-interval="arrival_to_release"]')
    assert total.locator('[data-col="n"]').inner_text() == "5"
    assert total.locator('[data-col="median"]').inner_text() == "6.00"
    definitions = page.locator("#definitions").inner_text()
    assert "Hyndman & Fan type 7" in definitions and "Tukey" in definitions
    assert sum(_values(page, "#hour-of-day rect[data-value]")) == 6


def test_filters_change_the_numbers_and_stay_in_the_form(page: Page, base: str) -> None:
    _open(page, base + "/measurement/release-times")
    _apply(page, office=LEIPZIG.lower())
    assert f"office={LEIPZIG.lower()}" in page.url
    assert page.locator("#filters [name=office]").input_value() == LEIPZIG
    assert [_headline(page, n) for n in ("shipments", "arrived", "released")] == ["4", "3", "3"]
    assert (_headline(page, "median"), _headline(page, "p90")) == ("5.0 h", "25.0 h")

    _apply(page, office="", **{"from": "2000-01-01", "to": "2000-01-31"})
    assert page.locator("#filters [name=from]").input_value() == "2000-01-01"
    assert page.locator("#filters [name=to]").input_value() == "2000-01-31"
    assert "no shipments lodged 2000-01-01 to 2000-01-31" in page.get_by_test_id("empty-scope").inner_text()
    assert page.locator("svg rect[data-value]").count() == 0  # said plainly, not charted as zeros

    _open(page, base + "/measurement/release-times?office=XXXXX001")
    message = page.get_by_test_id("empty-scope").inner_text()
    assert "at office(s) XXXXX001" in message and f"{FRANKFURT}, {LEIPZIG}" in message

    _open(page, base + "/measurement/release-times?from=2026-13-01", status=400)
    assert "is not a date" in page.get_by_test_id("error").inner_text()


def test_breakdown_by_lane(page: Page, base: str) -> None:
    _open(page, base + f"/measurement/release-times?by=lane&office={FRANKFURT}")
    assert page.locator("#filters select[name=by]").input_value() == "lane"
    assert _headline(page, "shipments") == "3"
    groups = page.locator("#groups tr.group")
    assert [g.get_attribute("data-group") for g in groups.all()] == ["green", "red"]
    assert "released within 24 h: 50.0 %" in groups.first.inner_text()


def test_save_two_studies_and_compare(page: Page, base: str) -> None:
    for office, name in ((LEIPZIG, "Leipzig study"), ("", "All offices study")):
        _open(page, base + f"/measurement/release-times?office={office}")
        page.locator("#save-study [name=name]").fill(name)
        with page.expect_navigation():
            page.locator("#save-study").get_by_role("button", name="Save").click()
        assert "/measurement/runs?saved=" in page.url
        assert name in page.locator("#runs").inner_text()

    for name in ("Leipzig study", "All offices study"):
        page.locator("#runs tr", has_text=name).locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Compare selected").click()
    rows = page.locator("#comparison tr[data-run]")
    assert rows.count() == 2
    assert [r.locator('[data-col="shipments"]').inner_text() for r in rows.all()] == ["4", "7"]
    assert "Leipzig study" in rows.first.inner_text() and "All offices study" in rows.last.inner_text()
    assert rows.last.locator('[data-col="within"]').inner_text() == "66.7 %"
    # median, P90 and share within 24 h, one small chart each, one bar per run
    assert _values(page, "#comparison-charts rect[data-value]") == pytest.approx([5, 6, 25, 26, 2 / 3, 2 / 3])

    _open(page, base + "/measurement/runs?ids=999", status=404)
    assert "no stored TRS run 999" in page.get_by_test_id("error").inner_text()


def test_statistics(page: Page, base: str) -> None:
    _open(page, base + "/measurement/statistics")
    assert _headline(page, "shipments") == "7"
    lanes = page.locator("#lanes-chart rect[data-series]")
    assert {(r.get_attribute("data-series"), r.get_attribute("data-value")) for r in lanes.all()} == {
        ("green", "6"),
        ("yellow", "0"),
        ("red", "1"),
    }
    red = page.locator("#lanes tr", has_text="red").locator("td.num")
    assert red.all_inner_texts() == ["1", "1", "0", "0.0 %"]  # F2 was controlled and compliant: no hit
    assert "flat duty" in page.locator("#revenue").inner_text()
    assert page.locator("#revenue-chart rect[data-value]").count() > 0
    assert page.locator('#origins rect[data-label="CN"]').get_attribute("data-value") == "7"
    assert page.locator("#chapters rect[data-value]").count() >= 2
    assert sum(_values(page, "#bands-chart rect[data-value]")) == 7
    assert "DHLEXPRESS" in page.locator("#quality").inner_text()

    _apply(page, office=FRANKFURT)
    assert page.locator("#filters [name=office]").input_value() == FRANKFURT
    assert _headline(page, "shipments") == "3"
    _apply(page, office="", **{"from": "2000-01-01", "to": "2000-01-01"})
    assert "no shipments lodged 2000-01-01 to 2000-01-01" in page.get_by_test_id("empty-scope").inner_text()
