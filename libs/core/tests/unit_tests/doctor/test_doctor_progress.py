"""What ``polyport test`` shows while it runs, and what the auth check says when no key was sent."""

from __future__ import annotations

import httpx2
import pytest
from polyport_core.doctor import CheckResult, DoctorTarget, run_doctor
from polyport_core.registry import Registry
from polyport_core.spec import parse_spec

from ._fake_openai import GOOD_KEY, FakeOpenAI, _completion


def _target(transport: httpx2.MockTransport, auth: dict[str, object]) -> DoctorTarget:
    spec = parse_spec(
        {"id": "fake", "engine": "openai", "base_url": "https://fake.invalid/v1", "auth": auth,
         "models": [{"id": "fake-1"}]},
        "memory",
    )  # fmt: skip
    registry = Registry()
    registry.add(spec)
    return DoctorTarget.from_registry(
        "fake:fake-1", registry, overrides={"http_client": httpx2.Client(transport=transport)}
    )


def test_each_check_is_announced_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DOCTOR_KEY", GOOD_KEY)
    events: list[str] = []

    def done(result: CheckResult) -> None:
        events.append(f"done {result.name}")

    target = _target(httpx2.MockTransport(FakeOpenAI()), {"type": "bearer", "api_key_env": "FAKE_DOCTOR_KEY"})
    run_doctor(target, only=["auth", "chat", "stream"], on_start=lambda title: events.append(title), on_result=done)
    assert events == [
        "authentication", "done authentication", "basic chat", "done basic chat", "streaming", "done streaming",
    ]  # fmt: skip


def test_an_optional_key_that_is_not_set_is_not_called_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_KEY", raising=False)
    sent: list[str | None] = []

    def anyone(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.headers.get("authorization"))
        return httpx2.Response(200, json=_completion({"content": "hi"}))

    auth = {"type": "bearer", "api_key_env": "LOCAL_KEY", "required": False}
    report = run_doctor(_target(httpx2.MockTransport(anyone), auth), only=["auth"])
    assert report.results[0].detail == "no key set; the server answered without one"
    monkeypatch.setenv("LOCAL_KEY", "sk-local-123456")
    report = run_doctor(_target(httpx2.MockTransport(anyone), auth), only=["auth"])
    assert report.results[0].detail == "bearer key accepted"
    assert sent[-1] == "Bearer sk-local-123456"
