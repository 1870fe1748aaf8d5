"""One JSON file (goose or Polydev style) turns the real local llama.cpp server into a LangChain model.

The model is a tiny base model: every call caps ``max_tokens`` and uses
temperature 0; assertions are about the protocol, never about wisdom.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.tools import tool
from polyport_core.registry import Registry, init_chat_model, list_models
from polyport_core.testing import LlamaServer
from pydantic import BaseModel

pytestmark = pytest.mark.local_server


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


class Answer(BaseModel):
    """A short answer."""

    answer: str


def _goose(server: LlamaServer) -> dict[str, object]:
    host = server.openai_base_url.removesuffix("/v1")
    return {
        "name": "mylocal",
        "engine": "openai",
        "display_name": "My local llama.cpp",
        "api_key_env": "MYLOCAL_API_KEY",
        "requires_auth": False,
        "host": host,
        "base_path": "v1/chat/completions",
        "timeout_seconds": 120,
        "models": [{"name": "gemma", "context_limit": 4096, "supports_tools": True}],
    }


def _polydev(server: LlamaServer) -> dict[str, object]:
    return {
        "providers": {
            "mylocal": {
                "baseUrl": server.openai_base_url,
                "api": "openai-completions",
                "models": [
                    {
                        "id": "gemma",
                        "name": "Gemma 3 270M",
                        "contextWindow": 4096,
                        "maxTokens": 1024,
                        "cost": {"input": 0, "output": 0},
                        "supportsTools": True,
                    }
                ],
                "quirks": {"unsupportedToolChoice": ["named"], "developerAsSystem": True},
            }
        }
    }


@pytest.fixture(params=["goose", "polydev"])
def registry(request: pytest.FixtureRequest, llama_server: LlamaServer, tmp_path: Path) -> Registry:
    build = _goose if request.param == "goose" else _polydev
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "mylocal.json").write_text(json.dumps(build(llama_server)))
    registry = Registry.discover(plugins=False, user=False, project=[folder], env={})
    assert not registry.errors, registry.errors
    assert registry.get("mylocal").base_url == llama_server.openai_base_url
    return registry


def _model(registry: Registry, **kwargs: object) -> object:
    params: dict[str, object] = {"temperature": 0, "max_tokens": 32, **kwargs}
    return init_chat_model("mylocal:gemma", registry=registry, **params)


def test_init_gives_the_openai_engine_with_a_profile(registry: Registry) -> None:
    from polyport_openai import ChatOpenAI

    model = _model(registry)
    assert isinstance(model, ChatOpenAI)
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 4096
    assert model.profile["tool_calling"] is True
    assert model.provider == "mylocal"


def test_streams(registry: Registry) -> None:
    model = _model(registry)
    chunks = list(model.stream("Say hello."))  # type: ignore[attr-defined]
    assert len(chunks) > 1
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full.content, str)
    assert full.content
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] > 0
    assert full.response_metadata["provider"] == "mylocal"
    assert full.response_metadata["model_name"] == "gemma"


def test_invoke_reports_provider_and_usage(registry: Registry) -> None:
    message = _model(registry).invoke("1, 2, 3,")  # type: ignore[attr-defined]
    assert isinstance(message, AIMessage)
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] > 0


@pytest.fixture(scope="module")
def tool_server() -> Iterator[LlamaServer]:
    """A second server whose chat template renders tools (the default ChatML fallback drops them)."""
    template = Path(__file__).parent / "data" / "hermes_tools.jinja"
    with LlamaServer(alias="gemma", embeddings=False, extra_args=["--chat-template-file", str(template)]) as server:
        yield server


@pytest.mark.parametrize("tool_choice", ["required", "get_weather"])
def test_calls_with_tools(tool_server: LlamaServer, tmp_path: Path, tool_choice: str) -> None:
    # This llama-server build does not grammar-force a call for a base model (the file declares
    # no forced_tool_calls quirk), so the protocol is asserted: tools reach the server (rendered
    # into the prompt: more input tokens), the named choice is downgraded per the spec's quirk
    # (unsupportedToolChoice: named) instead of failing, and a call the server returns is one
    # of the given tools.
    import openai

    sent: list[dict[str, Any]] = []
    client = openai.DefaultHttpxClient(event_hooks={"request": [lambda r: sent.append(json.loads(r.content))]})
    spec = _polydev(tool_server)
    (tmp_path / "mylocal.json").write_text(json.dumps(spec))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={})
    plain = _model(registry, max_tokens=8).invoke("What is the weather in Paris?")  # type: ignore[attr-defined]
    model = _model(registry, max_tokens=128, http_client=client).bind_tools(  # type: ignore[attr-defined]
        [get_weather, get_time], tool_choice=tool_choice
    )
    message = model.invoke("What is the weather in Paris?")
    assert isinstance(message, AIMessage)
    assert len(sent) == 1
    assert [t["function"]["name"] for t in sent[0]["tools"]] == ["get_weather", "get_time"]
    assert sent[0]["tool_choice"] == "required"  # a named choice is downgraded, never sent
    assert message.usage_metadata is not None
    assert plain.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] > plain.usage_metadata["input_tokens"] + 20
    assert [c["name"] for c in message.tool_calls] in ([], ["get_weather"], ["get_time"])
    assert all(isinstance(c["args"], dict) and c["id"] for c in message.tool_calls)


def test_structured_output(registry: Registry) -> None:
    model = _model(registry, max_tokens=128).with_structured_output(Answer, method="json_schema")  # type: ignore[attr-defined]
    result = model.invoke("Answer in JSON: what colour is the sky?")
    assert isinstance(result, Answer)
    assert isinstance(result.answer, str)


def test_live_model_list_merges_with_declared(registry: Registry) -> None:
    models = {m.id: m for m in list_models("mylocal", live=True, registry=registry)}
    assert "gemma" in models
    assert models["gemma"].source == "declared"
    assert models["gemma"].profile["max_input_tokens"] == 4096
