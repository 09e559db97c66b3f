"""The consumer estimator page in Debian Chromium: search goods, see the cost and the restrictions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.server import running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("estimator") / "estimator.db"
    # Access control on: the page must work without logging in.
    with running_server(f"sqlite:///{Path(db)}", auth="required") as url:
        yield url


def test_search_then_estimate_a_parcel(browser: Browser, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "/estimate")
    assert "/login" not in page.url
    page.fill("input[name=q]", "headphones")
    page.click("#search button")
    row = page.locator("#matches tr[data-code='851830']")
    assert "Headphones" in row.inner_text() or "headphones" in row.inner_text().lower()
    row.locator("a.use").click()
    assert page.input_value("#hs") == "851830"
    page.select_option("#destination", "DE")
    page.fill("#origin", "CN")
    page.fill("#date", "2026-11-27")
    page.fill("#value", "40")
    page.fill("#currency", "EUR")
    page.fill("#shipping", "0")
    page.click("#estimate button")
    # 40 EUR, one sub-heading: flat duty 3.00; VAT (40 + 3) x 19 % = 8.17; total 11.17
    assert page.inner_text("#total") == "11.17 EUR"
    assert page.inner_text("#duty") == "3.00"
    assert page.locator(".tax[data-type=vat]").inner_text() == "8.17"
    assert page.inner_text("#collection") == "you, at delivery"
    assert "flat duty" in page.inner_text("#explanations")


def test_prohibited_goods_are_flagged(browser: Browser, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "/estimate?q=revolvers")
    row = page.locator("#matches tr[data-code='930200']")
    assert "prohibited" in row.inner_text().lower()
    page.goto(base + "/estimate?hs=930200&destination=DE&origin=US&date=2026-11-27&value=500&currency=EUR")
    assert "PROHIBITED" in page.inner_text("#restriction")


def test_bad_input_shows_the_field(browser: Browser, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "/estimate?hs=610910&destination=GB&origin=CN&date=2026-11-27&value=-4&currency=GBP")
    assert page.inner_text("#error").startswith("value")
    assert page.locator("#total").count() == 0
