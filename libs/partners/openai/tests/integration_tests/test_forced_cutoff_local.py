"""A forced tool call cut off by ``max_tokens`` on the real llama-server: invoke and stream agree.

Gemma 3 270M, temperature 0, ``max_tokens=4``: the grammar-constrained JSON
(``{"name": "get_weather", "arguments": {...}}``) cannot fit, and the server ends the
answer with ``finish_reason: "length"``. Sync and async.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool
from polyport_core.testing import LlamaServer
from polyport_openai import ChatOpenAI


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


@pytest.fixture
def model(llama_server: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> ChatOpenAI:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POLYPORT_PROVIDERS_PATH"):
        monkeypatch.delenv(name, raising=False)
    params: dict[str, Any] = {
        "model": "gemma",
        "base_url": llama_server.openai_base_url,
        "max_tokens": 4,
        "temperature": 0,
        "forced_tool_calls": "json_schema",
    }
    return ChatOpenAI(**params)


def test_cut_off_forced_call_is_the_same_invalid_call_on_invoke_and_stream(model: ChatOpenAI) -> None:
    bound = model.bind_tools([get_weather], tool_choice="get_weather")
    invoked = bound.invoke("What is the weather in Paris?")
    streamed: Any = None
    for piece in bound.stream("What is the weather in Paris?"):
        streamed = piece if streamed is None else streamed + piece
    assert isinstance(streamed, AIMessageChunk)

    assert invoked.tool_calls == []
    assert invoked.response_metadata["finish_reason"] == "length"
    [invalid] = invoked.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    raw = invalid["args"] or ""
    assert raw.startswith("{")
    assert "cut off" in (invalid["error"] or "")

    assert streamed.tool_calls == []
    assert streamed.response_metadata["finish_reason"] == "length"
    assert [c["name"] for c in streamed.invalid_tool_calls] == ["get_weather"]
    assert json.loads(streamed.invalid_tool_calls[0]["args"] or "") == raw  # same text at temperature 0


async def test_async_cut_off_forced_call_is_the_same_invalid_call_on_ainvoke_and_astream(model: ChatOpenAI) -> None:
    bound = model.bind_tools([get_weather], tool_choice="get_weather")
    invoked = await bound.ainvoke("What is the weather in Paris?")
    streamed: Any = None
    async for piece in bound.astream("What is the weather in Paris?"):
        streamed = piece if streamed is None else streamed + piece
    assert isinstance(streamed, AIMessageChunk)

    assert invoked.tool_calls == []
    assert invoked.response_metadata["finish_reason"] == "length"
    [invalid] = invoked.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert "cut off" in (invalid["error"] or "")

    assert streamed.tool_calls == []
    assert streamed.response_metadata["finish_reason"] == "length"
    assert [c["name"] for c in streamed.invalid_tool_calls] == ["get_weather"]
    assert json.loads(streamed.invalid_tool_calls[0]["args"] or "") == invalid["args"]
