"""A refusal made here (budget, local rate limit, request validation) is not a provider failure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from polyport_core.errors import BudgetExceededError, ProviderUnavailableError, RateLimitWaitExceededError
from polyport_core.governance import Budget, Governor, RateLimit
from polyport_core.metrics import Metrics


def test_budget_refusals_leave_availability_and_failures_alone(ledger, prices, make_model):
    metrics = Metrics()
    gov = Governor(ledger=ledger, prices=prices, metrics=metrics, budgets=[Budget(daily_usd=Decimal("0.006"))])
    model = make_model(gov)
    model.invoke("hi")
    for _ in range(5):
        with pytest.raises(BudgetExceededError):
            model.invoke("hi")
    stats = metrics.get("scripted", "m")
    assert stats is not None
    assert (stats.requests, dict(stats.failures), dict(stats.refused)) == (1, {}, {"budget": 5})
    assert metrics.availability("scripted", "m") == "healthy"


def test_local_rate_limit_refusals_are_counted_apart(ledger, prices, make_model):
    metrics = Metrics()
    gov = Governor(ledger=ledger, prices=prices, metrics=metrics, fail_fast=True,
                   limits=[RateLimit(requests_per_minute=1)])  # fmt: skip
    model = make_model(gov)
    model.invoke("hi")
    for _ in range(4):
        with pytest.raises(RateLimitWaitExceededError):
            model.invoke("hi")
    snapshot = metrics.snapshot()[0]
    assert (snapshot["requests"], snapshot["failures"], snapshot["refused"]) == (1, {}, {"rate_limit": 4})
    assert snapshot["availability"] == "healthy"


def test_provider_failures_still_count(ledger, prices, make_model):
    metrics = Metrics()
    model = make_model(Governor(ledger=ledger, prices=prices, metrics=metrics),
                       script=[ProviderUnavailableError("down")] * 3)  # fmt: skip
    for _ in range(3):
        with pytest.raises(ProviderUnavailableError):
            model.invoke("hi")
    assert metrics.availability("scripted", "m") == "down"


def test_snapshot_has_rate_mean_latency_and_uptime():
    clock = iter([0.0, 60.0, 120.0, 180.0]).__next__
    metrics = Metrics(clock=clock)
    for latency, kind in ((0.1, None), (0.3, None), (0.2, "unavailable"), (0.4, None)):
        metrics.record("p", "m", error_kind=kind, latency_s=latency)
    snap = metrics.snapshot()[0]
    assert snap["latency_mean_s"] == pytest.approx(0.25)
    assert snap["request_rate_per_min"] == pytest.approx(4 / 3, abs=1e-4)
    assert snap["uptime_pct"] == 75.0


def test_histogram_percentiles_interpolate_inside_a_bucket():
    from polyport_core.metrics._fleet import bucket_index, percentile_from_buckets

    buckets = {bucket_index(0.3): 50, bucket_index(3.0): 50}  # (0.25, 0.5] and (2.5, 5.0]
    assert 0.25 < percentile_from_buckets(buckets, 0.5) <= 0.5
    assert 2.5 < percentile_from_buckets(buckets, 0.99) <= 5.0
    assert percentile_from_buckets({}, 0.5) is None
