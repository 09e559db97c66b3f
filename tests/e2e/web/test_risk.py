"""Risk pages in Debian Chromium: feedback and drift, model contributions on the shipment page, cases."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.e2e.server import running_server
from tests.integration.risk.test_scoring import build_scored_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scored(module_db_url: str) -> dict[str, Any]:
    return build_scored_database(module_db_url)


# The data (and its model) are built before the browser starts: `scored` comes first.
def test_drift_page_shows_weekly_hit_rate_and_score_shift(
    scored: dict[str, Any], module_db_url: str, browser: Browser
) -> None:
    with running_server(module_db_url) as base:
        page = browser.new_page()
        page.goto(base + "/")
        page.get_by_role("link", name="Risk").click()
        page.wait_for_url("**/risk/drift")
        assert page.get_by_test_id("controls").inner_text().startswith("60")
        assert page.get_by_test_id("hit-rate").inner_text().startswith("33.3%")
        # The bar carries the exact figure: 20 of 60 controls non-compliant.
        bar = page.locator("#hit-chart rect[data-value]").first
        assert bar.get_attribute("data-value") == "0.3333"
        assert page.locator("#psi-chart rect[data-value]").count() == 1
        assert page.locator("#weeks tr").count() == 2  # header and one week
        page.goto(base + "/risk/drift?from=nonsense")
        assert "not a date" in page.get_by_test_id("error").inner_text()
        page.close()


def test_shipment_page_shows_score_and_contributions(
    scored: dict[str, Any], module_db_url: str, browser: Browser
) -> None:
    with running_server(module_db_url) as base:
        page = browser.new_page()
        page.goto(f"{base}/shipments/{scored['scored'][0]}")
        assert page.get_by_test_id("model-version").inner_text() == scored["version"]
        score = float(page.get_by_test_id("model-score").inner_text())
        assert 0.0 <= score <= 1.0
        rows = page.locator("#contributions tr")
        assert rows.count() == 6  # header and the top 5 features
        values = [float(v) for v in page.locator("#contributions td[data-value]").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )]  # fmt: skip
        assert [abs(v) for v in values] == sorted((abs(v) for v in values), reverse=True)
        page.goto(base + "/risk/cases")
        assert "cases among 72 shipments" in page.get_by_test_id("summary").inner_text()
        page.locator("#cases a").first.click()
        assert page.locator("#members tr").count() == 3  # header and a pair sharing a payment reference
        page.close()
