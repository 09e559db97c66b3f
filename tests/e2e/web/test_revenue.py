"""The de minimis simulator page in Debian Chromium, against a real server with two stored shipments.

Both are the sample shipment (EUR 40: T-shirt 25.00 at CET 12 %, earbuds 15.00 at 0 %), each owing
at the border flat duty 2 x 3.00 = 6.00 and VAT 5.46 + 3.28 = 8.74 (14.74).

Duty threshold 0, tax threshold 50: duty becomes ad valorem, 12 % of 25.00 = 3.00 per shipment, the
flat duty goes and VAT is relieved (40 <= 50): 3.00 instead of 14.74, so -11.74 per shipment and
-23.48 in all; both still pay something at the border, so the collection cost does not change.
Duty 200, tax 200: both fall under both thresholds, category 3 -> 2.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.server import running_server
from tests.sample import recent

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running_server(module_db_url) as url:
        with httpx.Client(base_url=url, timeout=30) as api:
            body = api.post("/v1/shipments", json={"shipments": [recent("W1"), recent("W2")]}).json()
            assert body["accepted"] == 2, body
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def _headline(page: Page, name: str) -> str:
    return page.get_by_test_id(f"headline-{name}").locator(".n").inner_text()


def _simulate(page: Page, duty: str, tax: str) -> None:
    page.locator("[name=duty_threshold]").fill(duty)
    page.locator("[name=tax_threshold]").fill(tax)
    with page.expect_navigation():
        page.get_by_role("button", name="Simulate").click()


def test_simulator_page_numbers_and_chart(page: Page, base: str) -> None:
    response = page.goto(base + "/")
    assert response is not None and response.status == 200
    page.get_by_role("link", name="Revenue").click()
    page.wait_for_url("**/revenue/simulator")
    _simulate(page, "0", "50")
    assert _headline(page, "shipments") == "2"
    assert _headline(page, "category") == "0"
    assert _headline(page, "revenue") == "-23.48"
    assert _headline(page, "cost") == "0.00"
    assert _headline(page, "net") == "-23.48"
    chart = page.locator("#revenue-chart svg[role=img]")
    assert "Revenue per duty and tax type" in (chart.get_attribute("aria-label") or "")
    bars = page.locator("#revenue-chart rect[data-value]")
    labels = bars.evaluate_all("els => els.map(e => e.dataset.label)")
    values = [float(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")]
    assert labels == [
        "customs duty now", "customs duty simulated", "flat duty now", "flat duty simulated",
        "import VAT now", "import VAT simulated",
    ]  # fmt: skip
    assert values == [0, 6, 12, 0, 17.48, 0]
    assert page.locator('#revenue tr[data-type="total"]').inner_text().split() == [
        "total", "29.48", "6.00", "-23.48",
    ]  # fmt: skip
    assert page.locator("#transitions").inner_text() == "No shipment changes IRG category."


def test_category_changes_and_bad_input(page: Page, base: str) -> None:
    page.goto(base + "/revenue/simulator?jurisdiction=EU&duty_threshold=200&tax_threshold=200")
    assert _headline(page, "category") == "2"
    assert page.locator("#transitions-chart rect[data-value]").get_attribute("data-value") == "2"
    response = page.goto(base + "/revenue/simulator?jurisdiction=EU&duty_threshold=0&tax_threshold=abc")
    assert response is not None and response.status == 400
    assert "tax_threshold: 'abc' is not a decimal amount" in page.get_by_test_id("error").inner_text()
    assert page.locator("[name=tax_threshold]").input_value() == "abc"  # kept in the form to correct
