"""The officer queue and the agency view in Debian Chromium, against a real server."""

from __future__ import annotations

from decimal import Decimal
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


def test_officer_records_inspection_results_and_agency_lifts_its_hold(
    browser: Browser, module_db_url: str
) -> None:
    with running_server(module_db_url) as base:
        with httpx.Client(base_url=base, timeout=30) as api:
            api.post("/v1/agencies", json={"code": "TEXTILE", "name": "Textile safety"})
            # Holds HS 6109 from CN on arrival: every record here has a cotton T-shirt from China.
            api.post(
                "/v1/agencies/TEXTILE/subscriptions",
                json={
                    "hs": "6109",
                    "origin": "CN",
                    "hold_on_arrival": True,
                    "reason_code": "TEX-DYE",
                    "text": "Azo dye test",
                },
            )
            api.post("/v1/agencies", json={"code": "VET", "name": "Veterinary"})
            api.post("/v1/agencies/VET/subscriptions", json={"hs": "0201-0210"})
            ids = {}
            for lrn in ("R1", "R2"):
                ids[lrn] = api.post("/v1/shipments", json=_prohibited(lrn)).json()["id"]
                api.post(f"/v1/shipments/{ids[lrn]}/events", json={"type": "arrival"})
                due = Decimal(api.get(f"/v1/shipments/{ids[lrn]}").json()["revenue"]["due_at_border"])
                api.post(
                    f"/v1/shipments/{ids[lrn]}/events",
                    json={"type": "payment", "amount_minor": int(due * 100)},
                )

        page = browser.new_page()
        page.goto(base + "/officer")
        rows = page.get_by_test_id("queue-row")
        assert rows.count() == 2
        assert "inspection" in rows.first.inner_text() and "agency" in rows.first.inner_text()

        # R1: physical inspection finds undervaluation → seized, the finding stored as a label.
        page.get_by_role("link", name="R1").click()
        page.wait_for_url(f"**/officer/shipments/{ids['R1']}")
        form = page.locator("#result-form")
        form.locator("select[name=result]").select_option("non_compliant")
        form.locator("select[name=finding]").select_option("undervaluation")
        form.get_by_role("button", name="Record result").click()
        assert "undervaluation_minor" in page.get_by_test_id("error").inner_text()  # the amount is missing
        form = page.locator("#result-form")
        form.locator("select[name=result]").select_option("non_compliant")
        form.locator("select[name=finding]").select_option("undervaluation")
        form.locator("input[name=undervaluation]").fill("120.50")
        form.get_by_role("button", name="Record result").click()
        page.wait_for_url(f"**/officer/shipments/{ids['R1']}")
        assert page.get_by_test_id("state").inner_text() == "seized"

        # R2: compliant inspection → still held by the agency.
        page.goto(base + f"/officer/shipments/{ids['R2']}")
        page.locator("#result-form").get_by_role("button", name="Record result").click()
        assert page.get_by_test_id("state").inner_text() == "held"
        assert page.get_by_test_id("hold-agency").count() == 1

        # The agency sees both textile shipments; the veterinary agency sees none.
        page.goto(base + "/agency/VET")
        assert "no matching shipments" in page.locator("#agency-shipments").inner_text()
        page.goto(base + "/agency/TEXTILE")
        assert page.get_by_test_id("agency-row").count() == 2
        row = page.locator("[data-lrn=R2]")
        assert "TEX-DYE" in row.inner_text()
        row.get_by_label("reason to lift TEX-DYE").fill("certificate checked")
        row.get_by_role("button", name="Lift").click()
        page.wait_for_url(base + "/agency/TEXTILE")
        assert page.locator("[data-lrn=R2]").get_by_test_id("state").inner_text() == "released"

        page.goto(base + "/officer")
        assert page.get_by_test_id("queue-row").count() == 0
        page.close()
        with httpx.Client(base_url=base, timeout=30) as api:
            events = api.get(f"/v1/shipments/{ids['R1']}").json()["events"]
        (result,) = [e for e in events if e["type"] == "inspection_result"]
        assert result["data"] == {
            "control": "physical",
            "result": "non_compliant",
            "finding": "undervaluation",
            "undervaluation_minor": "12050",
        }
