"""The dashboard in Debian Chromium driven by Playwright, against a real server with real data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.api.test_shipments import now_record
from tests.e2e.server import running_server
from tests.sample import PROHIBITED_ITEM

pytestmark = pytest.mark.browser


def _prohibited(lrn: str) -> dict[str, Any]:
    record = now_record(lrn)
    record["goods"][1] = dict(PROHIBITED_ITEM)
    return record


def test_overview_queue_and_shipment_detail(browser: Browser, module_db_url: str) -> None:
    with running_server(module_db_url) as base:
        with httpx.Client(base_url=base) as api:
            api.post(
                "/v1/shipments", json={"shipments": [now_record("G1"), now_record("G2"), _prohibited("P1")]}
            )
            results = api.get("/openapi.json")  # server answers
            assert results.status_code == 200
            held = api.post("/v1/shipments", json=_prohibited("P2")).json()["id"]
            api.post(f"/v1/shipments/{held}/events", json={"type": "arrival", "actor": "handler"})

        page = browser.new_page()
        page.goto(base + "/")
        assert page.get_by_test_id("total").inner_text().startswith("4")
        assert page.get_by_test_id("lane-red").inner_text() == "2"
        assert page.get_by_test_id("lane-green").inner_text() == "2"
        assert page.get_by_test_id("state-held").inner_text().startswith("1")
        assert "flat_duty" in page.locator("#revenue").inner_text()

        page.goto(base + "/queue")
        page.get_by_role("link", name="P2").click()
        page.wait_for_url("**/shipments/*")
        assert page.get_by_test_id("lane").inner_text() == "red"
        assert page.get_by_test_id("state").inner_text() == "held"
        assert "R-PROHIBITED" in page.locator("#reasons").inner_text()
        assert "PHYS-INSP" in page.locator("#holds").inner_text()
        assert "arrival" in page.locator("#events").inner_text()
        page.close()
