"""Fallback between real loopback servers, cool-down, stream fallback, Retry-After honoured."""

from __future__ import annotations

import pytest
from _loopback import HttpChat, LoopbackServer
from langchain_core.callbacks import BaseCallbackHandler
from polyport_core.errors import BadRequestError, InvalidConfigError, ProviderUnavailableError, RateLimitError
from polyport_core.governance import Governor, RetryPolicy
from polyport_core.routing import FallbackChatModel
from pydantic import BaseModel


class Steps(BaseCallbackHandler):
    def __init__(self) -> None:
        self.texts: list[str] = []

    def on_text(self, text: str, **kwargs) -> None:
        self.texts.append(text)


def chat(server: LoopbackServer, name: str, **kwargs) -> HttpChat:
    return HttpChat(model=name, provider=name, base_url=server.url, max_tokens=5, **kwargs)


def test_fallback_on_503_to_the_next_server_visible_in_metadata_and_callbacks():
    with LoopbackServer(status=503) as down, LoopbackServer(text="from backup") as up:
        router = FallbackChatModel(models=[chat(down, "primary"), chat(up, "backup")])
        steps = Steps()
        message = router.invoke("hi", config={"callbacks": [steps]})
    assert message.content == "from backup"
    meta = message.response_metadata["fallback"]
    assert meta["used"] == "backup:backup"
    assert meta["index"] == 1
    assert meta["failed"][0]["model"] == "primary:primary"
    assert meta["failed"][0]["error"] == "unavailable"
    assert any("primary:primary failed with unavailable" in t for t in steps.texts)


def test_non_fallback_errors_propagate():
    with LoopbackServer(status=400) as bad, LoopbackServer() as up:
        router = FallbackChatModel(models=[chat(bad, "primary"), chat(up, "backup")])
        with pytest.raises(BadRequestError):
            router.invoke("hi")
        assert len(up.arrivals) == 0


def test_cooldown_skips_a_failing_model_then_retries_it():
    now = [1000.0]  # an injected clock: the cool-down is measured on it, nothing sleeps
    with LoopbackServer(status=503) as down, LoopbackServer() as up:
        router = FallbackChatModel(
            models=[chat(down, "primary"), chat(up, "backup")], failure_threshold=2, cooldown_s=30.0,
            clock=lambda: now[0],
        )  # fmt: skip
        for _ in range(5):
            router.invoke("hi")
        assert len(down.arrivals) == 2  # breaker opened after 2 failures; 3 calls skipped it
        now[0] += 29.9
        router.invoke("hi")
        assert len(down.arrivals) == 2  # still cooling
        now[0] += 0.1
        router.invoke("hi")
        assert len(down.arrivals) == 3  # cooled down: tried again


async def test_async_fallback_and_stream_fallback_before_first_chunk():
    with LoopbackServer(status=503) as down, LoopbackServer(text="streamed answer") as up:
        router = FallbackChatModel(models=[chat(down, "primary"), chat(up, "backup")])
        message = await router.ainvoke("hi")
        assert message.response_metadata["fallback"]["index"] == 1
        chunks = [c async for c in router.astream("hi")]
        text = "".join(str(c.content) for c in chunks)
        assert text.strip() == "streamed answer"
        sync_chunks = list(router.stream("hi"))
        assert any(c.response_metadata.get("fallback", {}).get("index") == 1 for c in sync_chunks)


def test_bind_tools_and_structured_output_still_work():
    class Joke(BaseModel):
        setup: str

    with LoopbackServer(status=503) as down, LoopbackServer() as up:
        router = FallbackChatModel(models=[chat(down, "primary"), chat(up, "backup")])
        bound = router.bind_tools([Joke])
        message = bound.invoke("hi")
        assert message.response_metadata["fallback"]["index"] == 1
        assert bound.invoke("hi").response_metadata["fallback"]["failed"][0]["model"] == "primary:primary"
        # with_structured_output (a forced Joke tool call) runs through the same fallback; this
        # server answers text, so nothing is parsed and nothing fails.
        out = router.with_structured_output(Joke, include_raw=True).invoke("hi")
        assert out["raw"].response_metadata["fallback"]["index"] == 1
        assert (out["parsed"], out["parsing_error"]) == (None, None)


def test_retry_after_is_honoured_against_a_429_server():
    with LoopbackServer(status=429, headers={"retry-after": "0.7"}, fail_first=1) as server:
        model = chat(server, "m")
        router = FallbackChatModel(models=[model], retry=RetryPolicy(max_attempts=3, initial_s=0.01))
        message = router.invoke("hi")
    assert message.content == "hello"
    assert len(server.arrivals) == 2
    waited = server.arrivals[1] - server.arrivals[0]
    assert waited >= 0.7, waited


def test_retry_after_ms_and_ratelimit_reset_headers():
    with LoopbackServer(status=429, headers={"retry-after-ms": "400"}, fail_first=1) as server:
        RetryPolicy(max_attempts=2).call(lambda: chat(server, "m").invoke("hi"))
        assert server.arrivals[1] - server.arrivals[0] >= 0.4
    policy = RetryPolicy(max_attempts=3, max_retry_after_s=1.0)
    with LoopbackServer(status=429, headers={"retry-after": "30"}) as server:
        with pytest.raises(RateLimitError):
            policy.call(lambda: chat(server, "m").invoke("hi"))
        assert len(server.arrivals) == 1  # a hint beyond max_retry_after_s is not waited out


def test_never_retries_client_errors():
    with LoopbackServer(status=404) as server:
        with pytest.raises(Exception, match="status 404"):
            RetryPolicy(max_attempts=5, initial_s=0.01).call(lambda: chat(server, "m").invoke("hi"))
        assert len(server.arrivals) == 1


def test_retries_503_with_backoff_then_succeeds():
    with LoopbackServer(status=503, fail_first=2) as server:
        message = RetryPolicy(max_attempts=3, initial_s=0.05, jitter_s=0).call(lambda: chat(server, "m").invoke("hi"))
        assert message.content == "hello"
        assert len(server.arrivals) == 3
        assert server.arrivals[2] - server.arrivals[1] >= 0.1  # exponential: 0.05 then 0.1


def test_retry_policy_refuses_double_retry_layers():
    with LoopbackServer() as server:
        with pytest.raises(InvalidConfigError, match="max_retries"):
            FallbackChatModel(models=[chat(server, "m", max_retries=2)], retry=RetryPolicy())
        FallbackChatModel(models=[chat(server, "m", max_retries=2)], retry=RetryPolicy(), allow_sdk_retries=True)


def test_governed_models_under_a_router_record_each_attempt(tmp_path):
    from polyport_core.ledger import SQLiteLedger

    ledger = SQLiteLedger(tmp_path / "l.sqlite3")
    gov = Governor(ledger=ledger, allow_unpriced=True)
    with LoopbackServer(status=503) as down, LoopbackServer() as up:
        router = FallbackChatModel(models=[chat(down, "primary", call_hooks=gov), chat(up, "backup", call_hooks=gov)])
        router.invoke("hi")
    outcomes = sorted((r.provider, r.outcome) for r in ledger.records())
    assert outcomes == [("backup", "ok"), ("primary", "unavailable")]
    assert gov.metrics.availability("primary", "primary") == "down"
    assert gov.metrics.availability("backup", "backup") == "healthy"
    with pytest.raises(ProviderUnavailableError):
        chat(down, "primary").invoke("hi")
