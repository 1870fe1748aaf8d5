"""A fleet shares one rate limit through real Redis (``limits_storage="redis://…"``): two limiters
(two workers) draw from the same window, and a request limit is exact (a moving window)."""

from __future__ import annotations

import pytest
from polyport_core.errors import RateLimitWaitExceededError
from polyport_core.governance import Limiter, RateLimit


def test_two_workers_share_one_request_window(redis_server) -> None:
    rule = [RateLimit(provider="fleet", requests_per_minute=3)]
    a = Limiter(rule, storage_uri=redis_server.url, fail_fast=True)
    b = Limiter(rule, storage_uri=redis_server.url, fail_fast=True)
    a.acquire("fleet", "m", 0)
    b.acquire("fleet", "m", 0)
    a.acquire("fleet", "m", 0)
    for worker in (a, b):
        with pytest.raises(RateLimitWaitExceededError) as info:
            worker.acquire("fleet", "m", 0)
        assert 0 < (info.value.retry_after or 0) <= 60


def test_token_windows_still_count_tokens(redis_server) -> None:
    limiter = Limiter([RateLimit(provider="fleet", tokens_per_minute=100)], storage_uri=redis_server.url,
                      fail_fast=True)  # fmt: skip
    limiter.acquire("fleet", "m", 60)
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("fleet", "m", 60)
