"""Declared facts are enforced on the one-line path, against the real llama.cpp server.

A provider file declares ``max_output_tokens``, ``context_window``, ``tools: false``
and the accepted ``params``; ``init_chat_model`` gives a model that refuses calls
contradicting them before any request leaves (counted on the real HTTP client),
and lets the allowed call through. Tiny base model: capped ``max_tokens``,
temperature 0, assertions about the protocol only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tools import tool
from polyport_core.errors import ContextWindowRefusedError, RequestValidationError
from polyport_core.ledger import SQLiteLedger
from polyport_core.registry import Registry, init_chat_model
from polyport_core.testing import LlamaServer

pytestmark = pytest.mark.local_server


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"


class Requests:
    """Every request the model's real HTTP client sends (an httpx event hook, nothing faked)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> None:
        self.sent.append(json.loads(request.content))

    def client(self) -> httpx2.Client:
        return httpx2.Client(event_hooks={"request": [self]}, timeout=120)


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


@pytest.fixture
def spec_file(tmp_path: Path, llama_server: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.db'}")
    path = tmp_path / "factlocal.json"
    spec = {
        "id": "factlocal",
        "engine": "openai",
        "base_url": llama_server.openai_base_url,
        "models": [
            {
                "id": "gemma",
                "context_window": 1024,
                "max_output_tokens": 32,
                "tools": False,
                "params": {
                    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
                    "top_k": {"type": "integer", "minimum": 1, "maximum": 40},
                },
            }
        ],
    }
    path.write_text(json.dumps(spec))
    return path


def _model(spec_file: Path, requests: Requests, **overrides: Any) -> Any:
    registry = Registry.discover(plugins=False, user=False, project=[spec_file.parent], env={})
    return init_chat_model(
        "factlocal:gemma", registry=registry, temperature=0, http_client=requests.client(), **overrides
    )


def test_calls_contradicting_the_spec_are_refused_before_sending(spec_file: Path) -> None:
    requests = Requests()
    model = _model(spec_file, requests)
    refusals: list[tuple[str, RequestValidationError]] = []
    calls = [
        ("max_output_tokens", lambda: model.invoke("Hello", max_tokens=64)),
        ("tools", lambda: model.bind_tools([get_weather]).invoke("Weather in Paris?", max_tokens=8)),
        ("params.temperature", lambda: model.invoke("Hello", max_tokens=8, temperature=1.5)),
        ("params.top_k", lambda: model.invoke("Hello", max_tokens=8, top_k=100)),
        ("context_window", lambda: model.invoke("lorem ipsum dolor " * 400, max_tokens=8)),
    ]
    for fact, call in calls:
        with pytest.raises(RequestValidationError) as error:
            call()
        refusals.append((fact, error.value))
    assert requests.sent == []
    ledger = SQLiteLedger(spec_file.parent / "ledger.db")  # the default governance's (POLYPORT_LEDGER)
    assert ledger.records() == []  # a refused call is not a provider failure: nothing recorded
    for fact, refusal in refusals:
        assert refusal.fact == fact
        assert refusal.declared_in == str(spec_file)
        assert "provider=factlocal" in str(refusal)
        assert "model=gemma" in str(refusal)
        assert str(spec_file) in str(refusal)
    assert isinstance(refusals[-1][1], ContextWindowRefusedError)

    answer = model.invoke("Hello", max_tokens=16, top_k=20)
    assert isinstance(answer.content, str)
    assert answer.content
    assert len(requests.sent) == 1
    assert (requests.sent[0]["max_tokens"], requests.sent[0]["top_k"]) == (16, 20)
    assert [(r.provider, r.model) for r in ledger.records()] == [("factlocal", "gemma")]


def test_a_spec_violating_constructor_value_is_refused_at_the_call(spec_file: Path) -> None:
    requests = Requests()
    model = _model(spec_file, requests, max_tokens=16, model_kwargs={"top_k": 0})
    with pytest.raises(RequestValidationError, match=r"top_k=0 is not accepted: 0 is less than the minimum of 1"):
        model.invoke("Hello")
    assert requests.sent == []


def test_streaming_true_streams_invoke_and_reports_tokens(spec_file: Path) -> None:
    requests = Requests()
    model = _model(spec_file, requests, streaming=True, max_tokens=16)
    tokens = Tokens()
    answer = model.invoke("Count: one, two, three,", config={"callbacks": [tokens]})
    assert requests.sent[0]["stream"] is True
    assert len([t for t in tokens.tokens if t]) > 1
    assert "".join(tokens.tokens) == answer.content
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] > 0
