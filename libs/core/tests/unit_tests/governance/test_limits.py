from __future__ import annotations

import asyncio
import threading

import pytest
from polyport_core.errors import RateLimitWaitExceededError
from polyport_core.governance import Governor, Limiter, RateLimit, StaticPrices


def test_fail_fast_refuses_the_request_past_the_per_minute_limit(make_model):
    gov = Governor(limits=[RateLimit(requests_per_minute=2, provider="scripted")], fail_fast=True, record_usage=False)
    model = make_model(gov)
    model.invoke("a")
    model.invoke("b")
    with pytest.raises(RateLimitWaitExceededError) as info:
        model.invoke("c")
    assert "fail_fast" in str(info.value)
    assert info.value.retry_after is not None
    assert 0 < info.value.retry_after <= 60


def test_wait_is_bounded_then_clear_error():
    limiter = Limiter([RateLimit(requests_per_minute=1)], max_wait_s=0.2)
    limiter.acquire("p", "m", 0)
    with pytest.raises(RateLimitWaitExceededError, match=r"max_wait_s=0\.2"):
        limiter.acquire("p", "m", 0)


def test_limits_are_per_model_when_scoped():
    limiter = Limiter([RateLimit(requests_per_minute=1, provider="p", model="a")], fail_fast=True)
    limiter.acquire("p", "a", 0)
    limiter.acquire("p", "b", 0)  # another model is not limited
    limiter.acquire("q", "a", 0)  # another provider neither
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("p", "a", 0)


def test_tokens_per_minute_counts_estimates_and_refuses_what_never_fits():
    limiter = Limiter([RateLimit(tokens_per_minute=100)], fail_fast=True)
    limiter.acquire("p", "m", 60)
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("p", "m", 60)
    with pytest.raises(RateLimitWaitExceededError, match="can never fit"):
        limiter.acquire("p", "m", 500)


def test_tokens_settled_after_the_call_count_too():
    limiter = Limiter([RateLimit(tokens_per_minute=100)], fail_fast=True)
    grant = limiter.acquire("p", "m", 10)
    limiter.settle_tokens(grant, 80)  # the call really used 80
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("p", "m", 30)


def test_concurrency_limit_across_threads_and_tasks():
    """One count for threads and tasks: a thread's grant and a task's grant fill max_concurrency=2,
    a third task waits until the thread releases. Ordered by events, not by sleeping."""
    limiter = Limiter([RateLimit(max_concurrency=2)], max_wait_s=30)
    held, release = threading.Event(), threading.Event()

    def thread_holder() -> None:
        grant = limiter.acquire("p", "m", 0)
        held.set()
        release.wait(30)
        limiter.release(grant)

    holder = threading.Thread(target=thread_holder)
    holder.start()
    assert held.wait(30)

    async def main() -> None:
        second = await limiter.aacquire("p", "m", 0)  # the thread's grant and this one: the limit
        third = asyncio.create_task(limiter.aacquire("p", "m", 0))
        for _ in range(50):
            await asyncio.sleep(0)  # let the third task run as far as it can: it must be waiting
        assert not third.done()
        release.set()  # the thread lets go of its grant
        limiter.release(await asyncio.wait_for(third, 30))
        limiter.release(second)

    asyncio.run(main())
    holder.join(30)
    assert not holder.is_alive()


def test_concurrency_fail_fast():
    limiter = Limiter([RateLimit(max_concurrency=1)], fail_fast=True)
    grant = limiter.acquire("p", "m", 0)
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("p", "m", 0)
    limiter.release(grant)
    limiter.acquire("p", "m", 0)


async def test_async_wait_honours_the_window():
    limiter = Limiter([RateLimit(requests_per_minute=1)], max_wait_s=0.1)
    await limiter.aacquire("p", "m", 0)
    with pytest.raises(RateLimitWaitExceededError):
        await limiter.aacquire("p", "m", 0)


def test_from_spec_reads_limits_budget_and_pricing(make_model, ledger):
    spec = {
        "id": "scripted",
        "limits": {"requests_per_minute": 1},
        "budget": {"daily_usd": "0.5", "alert_threshold": 0.8},
        "models": [{"id": "m", "pricing": {"input": 1, "output": 2}, "limits": {"max_concurrency": 3}}],
    }
    gov = Governor.from_spec(spec, ledger=ledger, fail_fast=True)
    assert [r.scope for r in gov.limiter.rules] == ["scripted/*", "scripted/m"]
    assert gov.budgets[0].scope == "provider:scripted"
    assert gov.budgets[0].alert_threshold == 0.8
    assert isinstance(gov.prices, StaticPrices)
    message = make_model(gov).invoke("hi")
    assert message.response_metadata["price_provenance"] == "spec"
    with pytest.raises(RateLimitWaitExceededError):
        make_model(gov).invoke("hi")


@pytest.mark.parametrize("period", ["minute", "hour"])
def test_a_declared_request_limit_holds_across_a_window_boundary(period):
    """4 per period means 4 in ANY period-long interval: the calls just before a boundary still count
    just after it (a sliding window counter's fading weight would let a fifth through)."""
    seconds = 60 if period == "minute" else 3600
    now = [seconds * 100 - 2.0]  # two seconds before a boundary of the aligned windows
    limiter = Limiter([RateLimit(provider="p", **{f"requests_per_{period}": 4})], fail_fast=True, clock=lambda: now[0])
    for _ in range(4):
        limiter.acquire("p", "m", 0)
        now[0] += 0.5
    now[0] += 1.0  # past the boundary
    with pytest.raises(RateLimitWaitExceededError) as info:
        limiter.acquire("p", "m", 0)
    assert info.value.retry_after == pytest.approx(seconds - 3.0, abs=0.01)  # when the first call ages out
    now[0] = seconds * 100 - 2.0 + seconds + 0.01  # the first call aged out: exactly one slot is free
    limiter.acquire("p", "m", 0)
    with pytest.raises(RateLimitWaitExceededError):
        limiter.acquire("p", "m", 0)
