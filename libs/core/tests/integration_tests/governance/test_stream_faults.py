"""Faults with the documented semantics, injected by a loopback OpenAI-format server.

One rule for broken streams: before the first chunk a failure is ordinary (retried,
fallen back, like a cut non-stream body); after it, ``StreamInterruptedError``.
Broken and cancelled streams are recorded with what was streamed, estimated and
charged. Endless bodies and runaway streams stop at a clear size limit.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import time
from decimal import Decimal

import pytest
from _faults import FaultServer, faulty, words
from polyport_core.errors import (
    ProviderUnavailableError,
    RateLimitError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from polyport_core.governance import Budget, Governor, Price, RetryPolicy, StaticPrices
from polyport_core.ledger import Bucket, SQLiteLedger, period_keys
from polyport_core.routing import FallbackChatModel
from polyport_core.tokens import count_text_tokens

PRICES = StaticPrices({"acme/fault-1": Price(input=Decimal(0), output=Decimal(1000), provenance="spec")})
"""$0.001 per output token, input free: a charge is exactly the output tokens."""
def merged(chunks):
    return functools.reduce(operator.add, chunks)


NO_WAIT = RetryPolicy(max_attempts=3, initial_s=0.0, jitter_s=0.0)


@pytest.fixture
def ledger(tmp_path):
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def governed(url: str, ledger, **kwargs):
    gov = Governor(ledger=ledger, prices=PRICES, budgets=[Budget(daily_usd=Decimal("1"))])
    return faulty(url, call_hooks=gov, **kwargs)


# ---------------------------------------------------------------- one rule for broken streams
@pytest.mark.parametrize("fault", [("cut_stream", 2), ("error_event", 2)])
def test_a_stream_broken_after_its_first_chunk_raises_stream_interrupted(fault, ledger):
    with FaultServer([fault]) as server:
        model = governed(server.url, ledger)
        received: list = []
        with pytest.raises(StreamInterruptedError, match=r"after 2 chunk\(s\).*\[provider=acme, model=fault-1\]"):
            received.extend(model.stream("hi"))
    assert words(received) == "w0 w1 "
    [record] = ledger.records()
    streamed = count_text_tokens("w0 w1 ", "fault-1")
    assert (record.outcome, record.usage_estimated, record.output_tokens) == ("stream_interrupted", True, streamed)
    day, _ = period_keys()
    assert ledger.spent(Bucket("global", day)) == streamed * 1_000_000  # charged, not $0
    assert ledger.reserved(Bucket("global", day)) == 0


def test_a_stream_dropped_before_its_first_chunk_is_retryable_and_falls_back(ledger):
    with FaultServer([("cut_stream", 0)]) as broken, FaultServer() as healthy:
        alone = faulty(broken.url)
        broken.plan.append(("cut_stream", 0))
        with pytest.raises(ProviderUnavailableError, match="before its first chunk") as caught:
            list(alone.stream("hi"))
        assert not isinstance(caught.value, StreamInterruptedError)
        router = FallbackChatModel(models=[faulty(broken.url), faulty(healthy.url)])
        chunks = list(router.stream("hi"))
    assert words(chunks) == "w0 w1 w2 "
    assert merged(chunks).response_metadata["fallback"]["failed"][0]["error"] == "unavailable"


def test_a_cut_non_stream_body_falls_back_the_same_way_and_says_it_was_cut():
    with FaultServer(["cut_body", "cut_body"]) as broken, FaultServer() as healthy:
        with pytest.raises(ProviderUnavailableError, match="cut off before it was complete") as caught:
            faulty(broken.url).invoke("hi")
        assert "Could not" not in str(caught.value)
        answer = FallbackChatModel(models=[faulty(broken.url), faulty(healthy.url)]).invoke("hi")
    assert answer.content == "hello world"


def test_a_stream_broken_after_its_first_chunk_does_not_fall_back():
    with FaultServer([("cut_stream", 1)]) as broken, FaultServer() as healthy:
        router = FallbackChatModel(models=[faulty(broken.url), faulty(healthy.url)])
        with pytest.raises(StreamInterruptedError):
            list(router.stream("hi"))
        assert healthy.requests == []


async def test_async_stream_follows_the_same_rule():
    with FaultServer([("cut_stream", 1), ("cut_stream", 0)]) as broken:
        model = faulty(broken.url)
        with pytest.raises(StreamInterruptedError):
            _ = [c async for c in model.astream("hi")]
        with pytest.raises(ProviderUnavailableError) as caught:
            _ = [c async for c in model.astream("hi")]
        assert not isinstance(caught.value, StreamInterruptedError)


# ---------------------------------------------------------------- 429 on a stream, retried
def test_a_429_on_a_stream_is_retried_under_the_fallback_retry_policy():
    with FaultServer([("status", 429, {"retry-after": "0"})]) as server:
        router = FallbackChatModel(models=[faulty(server.url, max_retries=0)], retry=NO_WAIT)
        chunks = list(router.stream("hi"))
        assert len(server.requests) == 2
    assert words(chunks) == "w0 w1 w2 "
    assert merged(chunks).response_metadata["fallback"]["failed"] == []


async def test_a_429_on_an_async_stream_is_retried_and_gives_up_after_max_attempts():
    plan = [("status", 429, {"retry-after": "0"})] * 3
    with FaultServer(plan) as server:
        router = FallbackChatModel(models=[faulty(server.url, max_retries=0)], retry=NO_WAIT)
        with pytest.raises(RateLimitError):
            _ = [c async for c in router.astream("hi")]
        assert len(server.requests) == 3


# ---------------------------------------------------------------- cancelled and closed streams
def test_a_stream_the_consumer_closes_is_charged_for_what_it_received(ledger):
    with FaultServer(words=6) as server:
        model = governed(server.url, ledger)
        stream = model.stream("hi")
        first = next(stream)
        stream.close()
    [record] = ledger.records()
    assert (record.outcome, record.usage_estimated) == ("cancelled", True)
    assert record.output_tokens == count_text_tokens(first.content, "fault-1") > 0
    assert record.cost_nano == record.output_tokens * 1_000_000


async def test_a_cancelled_async_stream_is_charged_for_what_it_received(ledger):
    with FaultServer([("stall_stream", 5)], limit_s=5) as server:
        model = governed(server.url, ledger)
        got: list[str] = []

        async def consume() -> None:
            async for c in model.astream("hi"):
                got.append(c.content)

        task = asyncio.create_task(consume())
        while len(got) < 5:  # then the server goes silent and the stream awaits the next event
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    [record] = ledger.records()
    assert (record.outcome, record.usage_estimated) == ("cancelled", True)
    assert record.output_tokens == count_text_tokens("".join(got), "fault-1") > 0
    day, _ = period_keys()
    assert ledger.spent(Bucket("global", day)) == record.output_tokens * 1_000_000


# ---------------------------------------------------------------- bounded resources
def test_an_endless_stream_stops_at_the_output_guard(ledger):
    with FaultServer(["endless_stream"], limit_s=20) as server:
        model = governed(server.url, ledger, max_tokens=8)
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError, match=r"more than 288 events for max_tokens=8.*provider=acme"):
            list(model.stream("hi"))
        assert time.monotonic() - started < 10
    [record] = ledger.records()
    assert record.outcome == "response_too_large"
    assert record.usage_estimated
    assert record.output_tokens > 0


async def test_an_endless_line_stops_at_max_response_bytes():
    with FaultServer(["endless_line"], limit_s=20) as server:
        model = faulty(server.url, max_response_bytes=256 * 1024)
        with pytest.raises(ResponseTooLargeError, match=r"stream exceeded max_response_bytes=262144.*provider=acme"):
            _ = [c async for c in model.astream("hi")]


@pytest.mark.parametrize("use_async", [False, True])
async def test_an_endless_body_stops_at_max_response_bytes(use_async):
    with FaultServer(["endless_body"], limit_s=20) as server:
        model = faulty(server.url, max_response_bytes=1024 * 1024)
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError, match=r"body exceeded max_response_bytes=1048576.*provider=acme"):
            await model.ainvoke("hi") if use_async else model.invoke("hi")
        assert time.monotonic() - started < 10
        assert server.sent_bytes < 64 * 1024 * 1024


def test_the_default_cap_is_32_mib_and_a_normal_answer_is_untouched():
    with FaultServer() as server:
        model = faulty(server.url)
        assert model.max_response_bytes == 32 * 1024 * 1024
        assert model.invoke("hi").content == "hello world"
        assert words(model.stream("hi")) == "w0 w1 w2 "
