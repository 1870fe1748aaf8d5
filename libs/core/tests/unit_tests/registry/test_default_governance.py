"""Every model from a spec is governed by default: one shared Governor per provider per registry."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx2
import pytest
from polyport_core.errors import RateLimitError
from polyport_core.governance import CallHooks, CallInfo, CallOutcome, Governor
from polyport_core.registry import Registry, init_chat_model, init_embeddings
from polyport_core.routing import FallbackChatModel
from polyport_openai import ChatOpenAI


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def _registry(tmp_path: Path, *docs: dict[str, Any]) -> Registry:
    folder = tmp_path / "providers"
    folder.mkdir(exist_ok=True)
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    return Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})


def _provider(pid: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "engine": "openai", "base_url": f"http://{pid}.test/v1", **extra}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return _registry(
        tmp_path,
        _provider("gov-a", priority=2, models=[{"id": "m"}, {"id": "e", "embeddings": True}]),
        _provider("gov-b", priority=1, models=[{"id": "m"}]),
    )


def test_governance_attached_by_default(registry: Registry) -> None:
    model = init_chat_model("gov-a:m", registry=registry)
    assert isinstance(model, ChatOpenAI)
    assert isinstance(model.call_hooks, Governor)
    assert model.call_hooks is registry.governors["gov-a"]


def test_two_models_of_one_provider_share_one_governor(registry: Registry) -> None:
    first = init_chat_model("gov-a:m", registry=registry)
    second = init_chat_model("gov-a:other-model", registry=registry, temperature=0)
    other_provider = init_chat_model("gov-b:m", registry=registry)
    assert isinstance(first, ChatOpenAI)
    assert isinstance(second, ChatOpenAI)
    assert isinstance(other_provider, ChatOpenAI)
    assert first.call_hooks is second.call_hooks
    assert other_provider.call_hooks is not first.call_hooks
    assert isinstance(other_provider.call_hooks, Governor)


def test_governance_false_attaches_nothing(registry: Registry) -> None:
    model = init_chat_model("gov-a:m", registry=registry, governance=False)
    assert isinstance(model, ChatOpenAI)
    assert model.call_hooks is None
    assert "gov-a" not in registry.governors


class _Counting(CallHooks):
    def __init__(self) -> None:
        self.calls = 0

    def before_call(self, call: CallInfo) -> None:
        self.calls += 1

    def after_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        pass


def test_callers_own_call_hooks_are_kept(registry: Registry) -> None:
    mine = _Counting()
    model = init_chat_model("gov-a:m", registry=registry, call_hooks=mine)
    assert isinstance(model, ChatOpenAI)
    assert model.call_hooks is mine
    assert "gov-a" not in registry.governors


def test_each_fallback_member_keeps_its_providers_governance(registry: Registry) -> None:
    model = init_chat_model("m", registry=registry)
    assert isinstance(model, FallbackChatModel)
    hooks = [member.call_hooks for member in model.models]
    assert hooks == [registry.governors["gov-a"], registry.governors["gov-b"]]
    assert hooks[0] is not hooks[1]


def test_embeddings_share_the_providers_governor(registry: Registry) -> None:
    chat = init_chat_model("gov-a:m", registry=registry)
    emb = init_embeddings("gov-a:e", registry=registry)
    assert isinstance(chat, ChatOpenAI)
    assert getattr(emb, "call_hooks", None) is chat.call_hooks
    assert getattr(init_embeddings("gov-a:e", registry=registry, governance=False), "call_hooks", None) is None


def test_declared_rate_limit_refuses_the_second_call(tmp_path: Path) -> None:
    """Wire fixture in OpenAI's documented chat.completion format, through the real openai SDK."""
    pid = f"limited-{uuid.uuid4().hex[:8]}"
    registry = _registry(tmp_path, _provider(pid, limits={"requests_per_minute": 1, "fail_fast": True}))
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(
            200,
            json={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1741569952,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "ok"},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
            },
        )

    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    model = init_chat_model(f"{pid}:m", registry=registry, http_client=client, max_tokens=4)
    assert model.invoke("one").content == "ok"
    twin = init_chat_model(f"{pid}:m", registry=registry, http_client=client, max_tokens=4)
    with pytest.raises(RateLimitError):
        twin.invoke("two")  # another instance, same provider: the limit is shared
    assert len(sent) == 1
    ungoverned = init_chat_model(f"{pid}:m", registry=registry, http_client=client, governance=False)
    assert ungoverned.invoke("three").content == "ok"
    assert len(sent) == 2
