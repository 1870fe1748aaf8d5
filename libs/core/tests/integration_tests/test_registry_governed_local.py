"""A provider file's limits and prices hold through ``init_chat_model`` alone, against the real llama-server.

Tiny base model: every call caps ``max_tokens`` and uses temperature 0;
assertions are about governance and routing, never about the answer's wisdom.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from polyport_core.errors import RateLimitError
from polyport_core.ledger import default_ledger
from polyport_core.registry import Registry, init_chat_model
from polyport_core.routing import FallbackChatModel
from polyport_core.testing import LlamaServer

pytestmark = pytest.mark.local_server

CALL: dict[str, Any] = {"temperature": 0, "max_tokens": 8}


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def _registry(tmp_path: Path, *docs: dict[str, Any]) -> Registry:
    folder = tmp_path / "providers"
    folder.mkdir(exist_ok=True)
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})
    assert not registry.errors, registry.errors
    return registry


def _local(server: LlamaServer, pid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "engine": "openai",
        "base_url": server.openai_base_url,
        "quirks": {"developer_as_system": True},
        "models": [{"id": "gemma", "pricing": {"input": 1, "output": 2}}],
        **extra,
    }


def test_declared_limit_refuses_the_second_call(llama_server: LlamaServer, tmp_path: Path) -> None:
    pid = f"limited-{uuid.uuid4().hex[:8]}"  # a fresh limiter bucket per run
    registry = _registry(
        tmp_path, _local(llama_server, pid, limits={"requests_per_minute": 1, "fail_fast": True})
    )
    model = init_chat_model(f"{pid}:gemma", registry=registry, **CALL)
    first = model.invoke("Say hi")
    assert first.usage_metadata is not None
    assert first.usage_metadata["output_tokens"] > 0
    with pytest.raises(RateLimitError):
        model.invoke("Say hi again")
    records = [r for r in default_ledger().records() if r.provider == pid]
    assert len(records) == 1
    assert records[0].outcome == "ok"
    assert records[0].price_provenance == "spec"
    expected = Decimal(records[0].input_tokens) * 1 / 10**6 + Decimal(records[0].output_tokens) * 2 / 10**6
    assert records[0].cost_usd == expected


def test_bare_id_falls_back_to_the_next_provider_by_priority(llama_server: LlamaServer, tmp_path: Path) -> None:
    first_id, second_id = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("first", "second"))
    registry = _registry(
        tmp_path,
        _local(llama_server, first_id, priority=10, limits={"requests_per_minute": 1, "fail_fast": True}),
        _local(llama_server, second_id, priority=1),
    )
    model = init_chat_model("gemma", registry=registry, **CALL)
    assert isinstance(model, FallbackChatModel)
    assert [m.provider for m in model.models] == [first_id, second_id]
    assert model.invoke("One").response_metadata["fallback"]["used"] == f"{first_id}:gemma"
    answer = model.invoke("Two")  # the first provider's declared limit refuses: the second answers
    assert answer.response_metadata["fallback"]["used"] == f"{second_id}:gemma"
    assert answer.response_metadata["fallback"]["failed"][0]["error"] == "rate_limit"


def test_native_llamacpp_engine_from_a_spec(llama_server: LlamaServer, tmp_path: Path) -> None:
    from polyport_llamacpp import ChatLlamaCpp

    registry = _registry(
        tmp_path, {"id": "native", "engine": "llamacpp", "base_url": llama_server.openai_base_url}
    )
    model = init_chat_model("native:gemma", registry=registry, **CALL)
    assert isinstance(model, ChatLlamaCpp)
    answer = model.invoke("Hello")
    assert isinstance(answer.content, str)
    assert answer.response_metadata["provider"] == "native"
