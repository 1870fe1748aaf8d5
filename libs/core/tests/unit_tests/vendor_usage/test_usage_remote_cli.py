"""``polyport usage --remote PROVIDER``: the vendor's figures beside the ledger's for the same window.

The vendor answers (pytest-httpx) follow OpenAI's documented costs and completions-usage pages
(https://platform.openai.com/docs/api-reference/usage/costs and .../usage/completions).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from polyport_core.cli import app
from polyport_core.ledger import SQLiteLedger, UsageRecord
from polyport_core.registry import Registry, reload_registry
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

ADMIN_KEY = "sk-admin-remote-0123456789"


def _page(object_: str, result: dict[str, object]) -> dict[str, object]:
    now = int(time.time())
    bucket = {
        "object": "bucket",
        "start_time": now - 86400,
        "end_time": now,
        "results": [{"object": object_, **result}],
    }
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()
    doc = {"id": "oa", "engine": "openai", "base_url": "https://api.openai.com/v1", "auth": {"api_key_env": "OA_KEY"},
           "models": [{"id": "gpt-x"}]}  # fmt: skip
    (folder / "oa.json").write_text(json.dumps(doc))
    reload_registry(Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={}))
    path = tmp_path / "ledger.sqlite3"
    ledger = SQLiteLedger(path)
    for i, cost in enumerate((1_000_000_000, 500_000_000)):  # $1.00 and $0.50
        record = UsageRecord(
            id=f"r{i}", provider="oa", model="gpt-x", input_tokens=600, output_tokens=250, cost_nano=cost
        )
        ledger.settle(record, [], [])
    ledger.close()
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN_KEY)
    return path


def test_remote_figures_beside_the_ledger_with_the_difference(setup: Path, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=re.compile(r"https://api\.openai\.com/v1/organization/costs\?.*"),
        is_reusable=True,
        json=_page("organization.costs.result", {"amount": {"value": 2.0, "currency": "usd"}, "line_item": None,
                                                  "project_id": None}),
    )  # fmt: skip
    httpx_mock.add_response(
        url=re.compile(r"https://api\.openai\.com/v1/organization/usage/completions\?.*"),
        is_reusable=True,
        json=_page("organization.usage.completions.result", {"input_tokens": 1500, "output_tokens": 500,
                   "input_cached_tokens": 0, "num_model_requests": 3, "project_id": None, "user_id": None,
                   "api_key_id": None, "model": None, "batch": None}),
    )  # fmt: skip
    result = CliRunner().invoke(app, ["usage", "--db", str(setup), "--days", "2", "--remote", "oa", "--json"])
    assert result.exit_code == 0, result.output
    remote = json.loads(result.stdout)["remote"]
    rows = {r["figure"]: r for r in remote["rows"]}
    assert rows["cost_usd"] == {
        "figure": "cost_usd",
        "vendor": "2.0",
        "ledger": "1.5",
        "difference": "0.5",
    }
    assert rows["input_tokens"]["difference"] == 300
    assert rows["requests"] == {"figure": "requests", "vendor": 3, "ledger": 2, "difference": 1}
    assert ADMIN_KEY not in result.output
    sent = httpx_mock.get_requests()[0]
    assert sent.headers["authorization"] == f"Bearer {ADMIN_KEY}"

    table = CliRunner().invoke(app, ["usage", "--db", str(setup), "--days", "2", "--remote", "oa"])
    assert table.exit_code == 0, table.output
    assert "the vendor's figures beside the ledger's" in table.output


def test_remote_without_a_usage_endpoint_is_one_clear_line(setup: Path, tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "local.json").write_text(
        json.dumps({"id": "local", "engine": "openai", "base_url": "http://127.0.0.1:9/v1"})
    )
    reload_registry(Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={}))
    result = CliRunner().invoke(app, ["usage", "--db", str(setup), "--remote", "local"])
    assert result.exit_code == 1
    assert "names no usage endpoint" in result.output
    assert "Traceback" not in result.output
