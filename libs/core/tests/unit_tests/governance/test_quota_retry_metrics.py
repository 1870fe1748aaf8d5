from __future__ import annotations

import time
from decimal import Decimal

import pytest
from polyport_core.errors import (
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ContextWindowExceededError,
    NotFoundError,
    PermissionDeniedError,
    ProviderUnavailableError,
    RateLimitError,
    RateLimitWaitExceededError,
)
from polyport_core.errors import (
    TimeoutError as PolyportTimeoutError,
)
from polyport_core.governance import (
    Governor,
    RetryPolicy,
    is_retryable,
    parse_duration,
    parse_quota_headers,
    retry_after_from_headers,
)
from polyport_core.metrics import Metrics

OPENAI = {
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "1.5s",
    "x-ratelimit-limit-tokens": "30000",
    "x-ratelimit-remaining-tokens": "29000",
    "x-ratelimit-reset-tokens": "6m0s",
}
ANTHROPIC = {
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2030-01-01T00:00:00Z",
    "anthropic-ratelimit-input-tokens-remaining": "100",
}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m", 3720.0), ("2.5", 2.5), ("x", None)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_openai_headers_normalized():
    snap = parse_quota_headers(OPENAI, "openai", "gpt", now=1000.0)
    assert snap is not None
    assert snap.windows["requests"].limit == 500
    assert snap.windows["requests"].remaining == 0
    assert snap.windows["requests"].reset_at == 1001.5
    assert snap.windows["tokens"].reset_at == 1360.0
    assert snap.blocked_for(now=1000.0) == 1.5


def test_anthropic_headers_normalized():
    snap = parse_quota_headers(ANTHROPIC, "anthropic", "claude", now=0.0)
    assert snap is not None
    assert snap.windows["requests"].remaining == 49
    assert snap.windows["requests"].reset_at == 1893456000.0
    assert snap.windows["input-tokens"].remaining == 100
    assert parse_quota_headers({"content-type": "x"}, "p", "m") is None


def test_retry_after_sources_in_order():
    assert retry_after_from_headers({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_from_headers({"Retry-After": "3"}) == 3.0
    assert retry_after_from_headers(OPENAI) == pytest.approx(1.5, abs=0.05)  # the exhausted window
    assert retry_after_from_headers({}) is None


def test_governor_keeps_quota_snapshots(make_model):
    gov = Governor(record_usage=False)
    make_model(gov, headers=OPENAI).invoke("hi")
    assert gov.quotas[("scripted", "m")].windows["tokens"].remaining == 29000


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (RateLimitError("x"), True),
        (ProviderUnavailableError("x"), True),
        (PolyportTimeoutError("x"), True),
        (BadRequestError("x"), False),
        (ContextWindowExceededError("x"), False),
        (AuthenticationError("x"), False),
        (PermissionDeniedError("x"), False),
        (NotFoundError("x"), False),
        (BudgetExceededError("x"), False),
        (RateLimitWaitExceededError("x"), False),
    ],
)
def test_retry_classification(error, retry):
    assert is_retryable(error) is retry


def test_retry_policy_retries_transient_and_waits_the_hint():
    calls: list[float] = []

    def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 2:
            raise RateLimitError("slow down", retry_after=0.3)
        return "ok"

    assert RetryPolicy(max_attempts=3).call(flaky) == "ok"
    assert calls[1] - calls[0] >= 0.3


def test_retry_policy_gives_up_on_client_errors():
    calls = []

    def broken() -> None:
        calls.append(1)
        raise BadRequestError("bad")

    with pytest.raises(BadRequestError):
        RetryPolicy(max_attempts=5).call(broken)
    assert len(calls) == 1


def test_metrics_percentiles_failures_and_availability():
    m = Metrics()
    for i in range(100):
        m.record("p", "m", error_kind=None, latency_s=(i + 1) / 100, input_tokens=2, cost_usd=Decimal("0.01"))
    snap = m.snapshot()[0]
    assert snap["latency_p50_s"] == pytest.approx(0.5, abs=0.011)
    assert snap["latency_p99_s"] == pytest.approx(0.99, abs=0.011)
    assert snap["input_tokens"] == 200
    assert snap["cost_usd"] == "1.00"
    assert m.availability("p", "m") == "healthy"
    m.record("p", "m", error_kind="rate_limit", latency_s=0.1)
    assert m.availability("p", "m") == "degraded"
    for _ in range(3):
        m.record("p", "m", error_kind="unavailable", latency_s=0.1)
    assert m.availability("p", "m") == "down"
    assert m.get("p", "m").failures == {"rate_limit": 1, "unavailable": 3}
    assert m.availability("x", "y") == "unknown"


def test_stream_records_time_to_first_token(make_model):
    gov = Governor(record_usage=False)
    make_model(gov).invoke("hi")
    assert gov.metrics.snapshot()[0]["ttft_p50_s"] is None  # no stream, no first token
    list(make_model(gov).stream("hi"))
    snap = gov.metrics.snapshot()[0]
    assert isinstance(snap["ttft_p50_s"], float)
    assert snap["ttft_p50_s"] >= 0
    assert snap["requests"] == 2


def test_an_exhausted_vendor_quota_holds_the_next_call(make_model):
    gov = Governor(record_usage=False, fail_fast=True)
    model = make_model(gov, headers={"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "30s"})
    model.invoke("hi")
    with pytest.raises(RateLimitWaitExceededError, match="quota is exhausted"):
        model.invoke("hi")
