"""Fleet metrics: governors sharing a ledger (real SQLite file, real Redis) add to the same minutes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from _loopback import HttpChat, LoopbackServer
from polyport_core.cli._usage import usage_app
from polyport_core.errors import BudgetExceededError, ProviderUnavailableError
from polyport_core.governance import Budget, Governor, Price, StaticPrices
from polyport_core.metrics import fleet_rows, minute_of
from typer.testing import CliRunner

PRICES = StaticPrices({"loop/m": Price(input=Decimal(0), output=Decimal(1000))})


def worker(ledger, url: str, **kwargs) -> tuple[Governor, HttpChat]:
    gov = Governor(ledger=ledger, prices=PRICES, **kwargs)
    return gov, HttpChat(model="m", provider="loop", base_url=url, max_tokens=5, call_hooks=gov)


def test_two_workers_feed_one_set_of_numbers(any_ledger):
    with LoopbackServer() as ok, LoopbackServer(status=503) as broken:
        gov_a, a = worker(any_ledger, ok.url)
        gov_b, b = worker(any_ledger, ok.url, budgets=[Budget(daily_usd=Decimal("0.010000002"), user="bob")])
        bob = {"metadata": {"user_id": "bob"}}
        for _ in range(3):
            a.invoke("hi")
        b.invoke("hi", config=bob)
        b.invoke("hi", config=bob)
        with pytest.raises(BudgetExceededError):  # refused here: counted apart, not a failure
            b.invoke("hi", config=bob)
        _, c = worker(any_ledger, broken.url, metrics=gov_a.metrics)
        with pytest.raises(ProviderUnavailableError):
            c.invoke("hi")
    assert gov_a.metrics.flush() == 1
    assert gov_b.metrics.flush() == 1
    (row,) = fleet_rows(any_ledger.metric_minutes(0, minute_of(10**10)))
    assert (row["requests"], row["successes"], row["failures"], row["refused"]) == (6, 5, {"unavailable": 1},
                                                                                   {"budget": 1})  # fmt: skip
    assert row["output_tokens"] == 25
    assert row["cost_usd"] == "0.025"
    assert row["availability_pct"] == pytest.approx(83.33)
    assert 0 < row["latency_p50_s"] <= row["latency_p95_s"] <= row["latency_p99_s"]
    assert row["latency_mean_s"] > 0
    assert row["request_rate_per_min"] >= 3  # six requests within at most two minutes
    (hourly,) = fleet_rows(any_ledger.metric_minutes(0, minute_of(10**10), per_hour=True))
    assert {k: hourly[k] for k in ("requests", "failures", "refused", "cost_usd")} == {
        k: row[k] for k in ("requests", "failures", "refused", "cost_usd")}  # fmt: skip  (the hourly sums agree)


def test_usage_metrics_reads_the_fleet_numbers(tmp_path):
    from polyport_core.ledger import SQLiteLedger

    ledger = SQLiteLedger(tmp_path / "fleet.sqlite3")
    with LoopbackServer() as ok:
        for _ in range(2):  # two processes' worth of governors, each with its own in-process metrics
            gov, model = worker(ledger, ok.url)
            model.invoke("hi")
            gov.metrics.flush()
    result = CliRunner().invoke(usage_app, ["--db", str(ledger.path), "--json", "--metrics"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["metrics"]
    assert (row["requests"], row["uptime_pct"], row["availability"]) == (2, 100.0, "healthy")
