"""The doctor's checks against the real openai SDK over a loopback-free fake server."""

from __future__ import annotations

import httpx2
import pytest
from polyport_core.doctor import DoctorTarget, Status, run_doctor
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry
from polyport_core.spec import parse_spec

from ._fake_openai import GOOD_KEY, FakeOpenAI

OFFLINE_CHECKS = [
    "auth",
    "chat",
    "stream",
    "tools",
    "forced-tools",
    "parallel-tools",
    "structured-function-calling",
    "structured-json-mode",
    "structured-json-schema",
    "embeddings",
    "bad-key",
    "unknown-model",
    "latency",
]


def _target(monkeypatch: pytest.MonkeyPatch, key: str, fake: FakeOpenAI) -> DoctorTarget:
    monkeypatch.setenv("FAKE_DOCTOR_KEY", key)
    spec = parse_spec(
        {
            "id": "fake",
            "engine": "openai",
            "base_url": "https://fake.invalid/v1",
            "auth": {"type": "bearer", "api_key_env": "FAKE_DOCTOR_KEY"},
            "models": [{"id": "fake-1"}],
        },
        "memory",
    )
    registry = Registry()
    registry.add(spec)
    return DoctorTarget.from_registry(
        "fake:fake-1",
        registry,
        overrides={"http_client": httpx2.Client(transport=httpx2.MockTransport(fake))},
        embeddings_overrides={"http_client": httpx2.Client(transport=httpx2.MockTransport(fake))},
    )


def test_healthy_provider_passes_every_check(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeOpenAI()
    report = run_doctor(_target(monkeypatch, GOOD_KEY, fake), only=OFFLINE_CHECKS)
    statuses = {r.name: r.status for r in report.results}
    assert statuses == {r.name: Status.PASS for r in report.results}, [r.to_dict() for r in report.results]
    assert report.ok
    assert report.observed_capabilities() == {
        "streaming_usage": True,
        "tools": True,
        "tool_choice": True,
        "parallel_tool_calls": True,
        "json_schema": True,
        "embeddings": True,
        "dimensions": 3,
    }
    chats = [r for r in fake.requests if "messages" in r]
    assert len(chats) >= 4  # chat, stream, tools, structured output
    assert all(r.get("max_tokens", 0) <= 64 and r.get("temperature") == 0 for r in chats)


def test_single_call_server_is_a_warning_and_observed_false(monkeypatch: pytest.MonkeyPatch) -> None:
    report = run_doctor(_target(monkeypatch, GOOD_KEY, FakeOpenAI(parallel=False)), only=["parallel-tools"])
    result = report.results[0]
    assert result.status is Status.WARN
    assert result.observed == {"parallel_tool_calls": False}
    assert report.ok


def test_wrong_key_fails_the_card_with_the_reason_and_skips_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    report = run_doctor(_target(monkeypatch, "sk-wrong", FakeOpenAI()), only=["auth", "chat", "stream"])
    auth, chat, stream = report.results
    assert auth.status is Status.FAIL
    assert "rejected the credentials" in auth.detail
    assert "Incorrect API key" in auth.detail
    assert chat.status is stream.status is Status.SKIP
    assert chat.detail == "skipped: authentication failed"
    assert not report.ok
    assert report.to_dict()["counts"] == {"pass": 0, "warn": 0, "fail": 1, "skip": 2}


def test_unknown_check_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidConfigError, match="unknown check"):
        run_doctor(_target(monkeypatch, GOOD_KEY, FakeOpenAI()), only=["nope"])


def test_a_refusal_by_the_providers_own_declared_limit_is_a_skip_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """``polyport test`` goes through the default governance (its calls are recorded): when the file's
    own limit refuses a check, the server did nothing wrong — the card says so instead of failing."""
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    monkeypatch.setenv("FAKE_DOCTOR_KEY", GOOD_KEY)
    spec = parse_spec(
        {
            "id": "limited", "engine": "openai", "base_url": "https://fake.invalid/v1",
            "auth": {"type": "bearer", "api_key_env": "FAKE_DOCTOR_KEY"},
            "limits": {"requests_per_hour": 1, "fail_fast": True},
            "models": [{"id": "fake-1", "pricing": {"input": 1, "output": 1}}],
        },
        "memory",
    )  # fmt: skip
    registry = Registry()
    registry.add(spec)
    client = httpx2.Client(transport=httpx2.MockTransport(FakeOpenAI()))
    target = DoctorTarget.from_registry("limited:fake-1", registry, overrides={"http_client": client})
    report = run_doctor(target, only=["chat", "stream"])
    chat, stream = report.results
    assert chat.status is Status.PASS
    assert stream.status is Status.SKIP
    assert stream.detail.startswith("refused locally:")
    assert "RateLimitWaitExceededError" in stream.detail
    assert report.ok

    from polyport_core.ledger import default_ledger

    assert [r.provider for r in default_ledger().records()] == ["limited"]  # the doctor's call is recorded
