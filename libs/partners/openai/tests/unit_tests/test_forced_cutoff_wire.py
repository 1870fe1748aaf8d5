"""An emulated forced tool call (``forced_tool_calls="json_schema"``) cut off by ``max_tokens``.

Wire fixtures in OpenAI's documented format (``chat.completion`` and the
``chat.completion.chunk`` SSE stream, see _wire.py), as llama-server sends them when the
output cap ends the grammar-constrained JSON early: ``finish_reason: "length"``.
invoke and stream, sync and async, must agree: one invalid call naming the tool, with the
raw text and an error — never a nameless valid-looking call — and ``finish_reason``
``length``, as the server said.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.runnables import Runnable
from polyport_openai import ChatOpenAI

from ._wire import WEATHER_TOOL, Recorder, chunk, completion, json_response, sse, sse_response, usage_chunk

CUT = '{"name": "get_weather", "arguments": {"ci'
"""What Gemma 3 270M writes for a forced ``get_weather`` call before a small cap stops it."""

TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Time in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "POLYPORT_PROVIDERS_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path}/ledger.sqlite3")


def _model(recorder: Recorder) -> ChatOpenAI:
    params: dict[str, Any] = {
        "model": "gemma-3-270m",
        "api_key": "sk-test",
        "base_url": "http://lcpp.test/v1",
        "max_retries": 0,
        "max_tokens": 4,
        "forced_tool_calls": "json_schema",
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
    }
    return ChatOpenAI(**params)


def _cut_stream() -> Recorder:
    events = [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": CUT[:20]}),
        chunk({"content": CUT[20:]}),
        chunk({}, "length"),
        usage_chunk(prompt=30, completion=4),
    ]
    return Recorder(sse_response(sse(events)))


def _cut_completion() -> Recorder:
    return Recorder(json_response(completion(CUT, finish_reason="length")))


def _bound(recorder: Recorder) -> Runnable[LanguageModelInput, Any]:
    return _model(recorder).bind_tools([WEATHER_TOOL], tool_choice="get_weather")


def _assert_cut_off_call(message: AIMessage) -> None:
    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1
    invalid = message.invalid_tool_calls[0]
    assert invalid["name"] == "get_weather"
    assert invalid["args"] == CUT
    assert "cut off" in (invalid["error"] or "")
    assert message.response_metadata["finish_reason"] == "length"


def _assert_stream(chunks: list[AIMessageChunk]) -> None:
    """The call's own chunk equals invoke; the aggregate stays invalid, named, with the raw text."""
    carriers = [c for c in chunks if c.invalid_tool_calls or c.tool_calls or c.tool_call_chunks]
    assert len(carriers) == 1
    _assert_cut_off_call(carriers[0])
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.content == ""
    assert full.tool_calls == []
    assert [c["name"] for c in full.invalid_tool_calls] == ["get_weather"]
    # langchain-core rebuilds aggregated calls from tool_call_chunks (dropping errors),
    # so the raw text travels as a JSON string there: recoverable, never parsed as arguments.
    assert json.loads(full.invalid_tool_calls[0]["args"] or "") == CUT
    assert full.response_metadata["finish_reason"] == "length"


def test_invoke_cut_off_forced_call_is_invalid_and_says_length() -> None:
    recorder = _cut_completion()
    result = _bound(recorder).invoke("weather in Paris?")
    _assert_cut_off_call(result)
    assert "response_format" in recorder.bodies[0]


async def test_ainvoke_cut_off_forced_call_is_invalid_and_says_length() -> None:
    result = await _bound(_cut_completion()).ainvoke("weather in Paris?")
    _assert_cut_off_call(result)


def test_stream_cut_off_forced_call_is_invalid_and_says_length() -> None:
    recorder = _cut_stream()
    chunks = list(_bound(recorder).stream("weather in Paris?"))
    _assert_stream(chunks)
    assert recorder.bodies[0]["stream"] is True


async def test_astream_cut_off_forced_call_is_invalid_and_says_length() -> None:
    chunks = [c async for c in _bound(_cut_stream()).astream("weather in Paris?")]
    _assert_stream(chunks)


def test_cut_off_call_among_several_forced_tools_names_the_one_written() -> None:
    recorder = _cut_completion()
    bound = _model(recorder).bind_tools([TIME_TOOL, WEATHER_TOOL], tool_choice="required")
    result = bound.invoke("weather in Paris?")
    _assert_cut_off_call(result)


def test_complete_forced_call_still_reports_tool_calls() -> None:
    text = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
    events = [chunk({"content": text}), chunk({}, "stop"), usage_chunk()]
    chunks = list(_bound(Recorder(sse_response(sse(events)))).stream("weather?"))
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.tool_calls[0]["name"] == "get_weather"
    assert full.tool_calls[0]["args"] == {"city": "Paris"}
    assert full.invalid_tool_calls == []
    assert full.response_metadata["finish_reason"] == "tool_calls"
