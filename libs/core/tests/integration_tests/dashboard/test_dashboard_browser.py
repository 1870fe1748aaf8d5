"""The dashboard in a real headless Chromium over a ledger seeded by real calls against llama-server.

The numbers on the page must be the ledger's; a filter changes them to the filtered ledger's; the
page works offline (its chart library is served by the app itself). Screenshots go to ``output/``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from polyport_core.cli._usage import usage_app
from polyport_core.dashboard import create_app
from polyport_core.errors import BudgetExceededError
from polyport_core.governance import Budget
from polyport_core.ledger import SQLiteLedger
from polyport_core.registry import init_chat_model, reload_registry
from polyport_core.testing import LlamaServer
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from typer.testing import CliRunner

from conftest import OUTPUT, Served

pytestmark = pytest.mark.local_server

CALLS = {"ann": 3, "bob": 2}


@pytest.fixture
def seeded(llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Real calls through a provider file (priced, with a per-user budget) into a fresh SQLite ledger."""
    providers = tmp_path / "providers"
    providers.mkdir()
    (providers / "local.json").write_text(json.dumps({
        "id": "local", "engine": "openai", "base_url": llama_server.openai_base_url, "auth": {"type": "none"},
        "budget": {"daily_usd": "0.002", "scope": "user", "alert_threshold": 0.5},
        "models": [{"id": "gemma", "max_output_tokens": 64, "pricing": {"input": 10, "output": 40}}],
    }))  # fmt: skip
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(providers))
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{ledger_path}")
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    reload_registry()
    model = init_chat_model("local:gemma", max_tokens=8, temperature=0)
    for user, n in CALLS.items():
        for i in range(n):
            model.invoke(f"Say {i}", config={"metadata": {"user_id": user}, "tags": [f"team:{user[0]}"]})
    list(model.stream("Count", config={"metadata": {"user_id": "bob"}}))
    model.call_hooks.metrics.flush()  # type: ignore[union-attr]
    reload_registry()
    return ledger_path


def _wait_ready(browser) -> None:
    WebDriverWait(browser, 60).until(lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-error") == ""


def test_page_numbers_equal_the_ledger_and_a_filter_narrows_them(seeded: Path, chromium) -> None:
    ledger = SQLiteLedger(seeded)
    records = ledger.records()
    assert len(records) == 6
    total = sum(r.cost_nano or 0 for r in records)
    app = create_app(ledger, sqlite_path=str(seeded), budgets=[Budget(daily_usd=Decimal("0.002"), user="*",
                                                                      alert_threshold=0.5, provider="local")])
    with Served(app) as served:
        chromium.get(served.url + "/")
        _wait_ready(chromium)
        OUTPUT.mkdir(exist_ok=True)
        chromium.save_screenshot(str(OUTPUT / "dashboard.png"))
        text = lambda element_id: chromium.find_element(By.ID, element_id).text  # noqa: E731
        assert int(text("total-calls")) == len(records)
        assert Decimal(text("total-cost")) == Decimal(total) / Decimal(10**9)
        usage_rows = chromium.find_elements(By.CSS_SELECTOR, "#usage-table tbody tr")
        cli = json.loads(CliRunner().invoke(usage_app, ["--db", str(seeded), "--json"]).output)["usage"]
        shown = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in usage_rows]
        keys = ("day", "provider", "model", "calls", "errors", "input_tokens", "output_tokens", "cost_usd")
        assert shown == [[str(r[k]) for k in keys] for r in reversed(cli)]
        budgets = [tr.find_element(By.TAG_NAME, "td").text
                   for tr in chromium.find_elements(By.CSS_SELECTOR, "#budgets-table tbody tr")]  # fmt: skip
        assert "provider:local|user:ann" in budgets
        assert chromium.find_elements(By.CSS_SELECTOR, "#spend-chart canvas"), "the bundled uPlot drew the spend chart"
        assert chromium.find_elements(By.CSS_SELECTOR, "#availability-table tbody tr")
        # a filter: only bob's calls
        Select(chromium.find_element(By.ID, "f-user")).select_by_value("bob")
        chromium.find_element(By.ID, "apply").click()
        _wait_ready(chromium)
        bob = [r for r in records if r.user == "bob"]
        WebDriverWait(chromium, 20).until(lambda b: text("total-calls") == str(len(bob)))
        assert Decimal(text("total-cost")) == Decimal(sum(r.cost_nano or 0 for r in bob)) / Decimal(10**9)
        assert len(chromium.find_elements(By.CSS_SELECTOR, "#records-table tbody tr")) == len(bob)
        chromium.save_screenshot(str(OUTPUT / "dashboard-filtered-bob.png"))
        # the same figures as JSON from the same app
        api = httpx.get(served.url + "/api/overview", params={"user": "bob"}).json()
        assert api["totals"]["calls"] == len(bob)
        static = httpx.get(served.url + "/static/uPlot.iife.min.js")
        assert static.status_code == 200
        assert "uPlot" in static.text  # served from the package: no CDN, works offline
    ledger.close()


def test_budget_refusals_show_as_refusals_not_failures(seeded: Path) -> None:
    model = init_chat_model("local:gemma", max_tokens=8, temperature=0)
    refused = 0
    for _ in range(10):  # ann's cap is $0.002 a day, a call ~$0.0004 (worst case ~$0.0006): refused within 3
        try:
            model.invoke("Hi", config={"metadata": {"user_id": "ann"}})
        except BudgetExceededError:
            refused += 1
            break
    assert refused == 1
    model.call_hooks.metrics.flush()  # type: ignore[union-attr]
    from starlette.testclient import TestClient

    ledger = SQLiteLedger(seeded)
    data = TestClient(create_app(ledger, sqlite_path=str(seeded))).get("/api/metrics").json()
    assert data["refused"] == {"budget": 1}
    assert data["failures"] == {}
    ledger.close()
