"""The ``forced_tool_calls="json_schema"`` quirk of ChatAnthropic on an Anthropic-compatible server.

llama-server's ``/v1/messages`` ignores ``tool_choice`` and ``output_config`` (README, "Anthropic-
compatible servers"), so with the quirk on a forced call or a JSON-schema answer is asked of the
same server's ``/v1/chat/completions`` with ``response_format``. The replies below follow
OpenAI's documented ``chat.completion`` object and ``chat.completion.chunk`` SSE stream (ending
``data: [DONE]``), with the fields llama-server sends (b1-0c1e570, recorded on loopback).
A cut-off answer (``finish_reason: "length"``) must be one invalid call naming the tool, sync,
async, invoke and stream alike, and say ``max_tokens`` as the Messages API would.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from anthropic_wire import Recorder, json_response, message, sse_response
from langchain_core.messages import AIMessage, AIMessageChunk
from polyport_anthropic import ChatAnthropic
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import SpecSettings
from polyport_core.spec import ProviderSpec
from pydantic import BaseModel

CUT = '{"name": "get_weather", "arguments": {"ci'
"""What Gemma 3 270M writes for a forced ``get_weather`` call before a small cap stops it."""
WHOLE = '{"name": "get_weather", "arguments": {"city": "Paris"}}'


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return city


def _completion(content: str, finish_reason: str) -> dict[str, Any]:
    return {
        "choices": [{"finish_reason": finish_reason, "index": 0, "message": {"role": "assistant", "content": content}}],
        "created": 1796094924,
        "model": "gemma",
        "system_fingerprint": "b1-0c1e570",
        "object": "chat.completion",
        "usage": {"completion_tokens": 4, "prompt_tokens": 31, "total_tokens": 35},
        "id": "chatcmpl-m3kL6ho1j6PFUW2d8ZFnhVSA4hpZHyrM",
    }


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "choices": [{"finish_reason": finish_reason, "index": 0, "delta": delta}],
        "created": 1796094924,
        "id": "chatcmpl-m3kL6ho1j6PFUW2d8ZFnhVSA4hpZHyrM",
        "model": "gemma",
        "system_fingerprint": "b1-0c1e570",
        "object": "chat.completion.chunk",
    }


def _stream(text: str, finish_reason: str) -> httpx2.Response:
    usage = {**_chunk({}), "choices": [], "usage": {"completion_tokens": 4, "prompt_tokens": 31, "total_tokens": 35}}
    events = [
        _chunk({"role": "assistant", "content": None}),
        _chunk({"content": text[:20]}),
        _chunk({"content": text[20:]}),
        _chunk({}, finish_reason),
        usage,
    ]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return sse_response(body.encode())


def _model(rec: Recorder, **kwargs: Any) -> ChatAnthropic:
    params: dict[str, Any] = {
        "model": "gemma",
        "api_key": "no-key",
        "base_url": "http://lcpp.test",
        "max_retries": 0,
        "max_tokens": 4,
        "forced_tool_calls": "json_schema",
        **kwargs,
    }
    return ChatAnthropic(http_client=rec.client(), http_async_client=rec.async_client(), **params)


def _assert_cut_off_call(message: AIMessage) -> None:
    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1
    invalid = message.invalid_tool_calls[0]
    assert invalid["name"] == "get_weather"
    assert invalid["args"] == CUT
    assert "cut off" in (invalid["error"] or "")
    assert message.response_metadata["finish_reason"] == "max_tokens"
    assert message.response_metadata["stop_reason"] == "max_tokens"


def _assert_stream(chunks: list[AIMessageChunk]) -> None:
    carriers = [c for c in chunks if c.invalid_tool_calls or c.tool_calls or c.tool_call_chunks]
    assert len(carriers) == 1
    _assert_cut_off_call(carriers[0])
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.tool_calls == []
    assert [c["name"] for c in full.invalid_tool_calls] == ["get_weather"]
    assert json.loads(full.invalid_tool_calls[0]["args"] or "") == CUT
    assert full.response_metadata["finish_reason"] == "max_tokens"
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] == 4


def _sent(rec: Recorder) -> tuple[str, dict[str, Any]]:
    request = rec.requests[0]
    return request.url.path, json.loads(request.content)


# ------------------------------------------------------------------ what is sent
def test_forced_call_goes_to_chat_completions_as_a_json_schema() -> None:
    rec = Recorder(json_response(_completion(WHOLE, "stop")))
    llm = _model(rec, temperature=0, top_k=5, stop=["\n\n"])
    llm.bind_tools([get_weather], tool_choice="get_weather").invoke("weather in Paris?")
    path, body = _sent(rec)
    assert path == "/v1/chat/completions"
    assert "tools" not in body
    assert "tool_choice" not in body
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["name"] == {"type": "string", "enum": ["get_weather"]}
    assert schema["properties"]["arguments"]["required"] == ["city"]
    assert body["messages"] == [{"role": "user", "content": "weather in Paris?"}]
    assert (body["max_tokens"], body["temperature"], body["top_k"], body["stop"]) == (4, 0, 5, ["\n\n"])


def test_any_tool_forced_offers_every_bound_tool() -> None:
    rec = Recorder(json_response(_completion(WHOLE, "stop")))

    def get_time(city: str) -> str:
        """Local time in a city."""
        return city

    _model(rec).bind_tools([get_weather, get_time], tool_choice="any").invoke("weather?")
    _path, body = _sent(rec)
    names = [v["properties"]["name"]["enum"] for v in body["response_format"]["json_schema"]["schema"]["anyOf"]]
    assert names == [["get_weather"], ["get_time"]]


def test_unforced_tools_stay_on_the_messages_api() -> None:
    rec = Recorder(json_response(message()))
    _model(rec).bind_tools([GetWeather]).invoke("weather?")
    path, body = _sent(rec)
    assert path == "/v1/messages"
    assert body["tools"][0]["name"] == "GetWeather"


def test_without_the_quirk_a_forced_call_is_sent_as_tool_choice() -> None:
    rec = Recorder(json_response(message()))
    _model(rec, forced_tool_calls="native").bind_tools([GetWeather], tool_choice="GetWeather").invoke("w?")
    path, body = _sent(rec)
    assert path == "/v1/messages"
    assert body["tool_choice"] == {"type": "tool", "name": "GetWeather"}


# ------------------------------------------------------------------ what comes back
def test_complete_forced_call_is_a_tool_call_with_stop_reason_tool_use() -> None:
    rec = Recorder(json_response(_completion(WHOLE, "stop")))
    result = _model(rec).bind_tools([get_weather], tool_choice="any").invoke("weather?")
    assert [(c["name"], c["args"]) for c in result.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert result.response_metadata["finish_reason"] == "tool_use"
    assert result.usage_metadata is not None
    assert result.usage_metadata["input_tokens"] == 31


def test_invoke_cut_off_forced_call_is_invalid_and_says_max_tokens() -> None:
    rec = Recorder(json_response(_completion(CUT, "length")))
    _assert_cut_off_call(_model(rec).bind_tools([get_weather], tool_choice="any").invoke("weather?"))


async def test_ainvoke_cut_off_forced_call_is_invalid_and_says_max_tokens() -> None:
    rec = Recorder(json_response(_completion(CUT, "length")))
    _assert_cut_off_call(await _model(rec).bind_tools([get_weather], tool_choice="any").ainvoke("weather?"))


def test_stream_cut_off_forced_call_is_invalid_and_says_max_tokens() -> None:
    rec = Recorder(_stream(CUT, "length"))
    chunks = list(_model(rec).bind_tools([get_weather], tool_choice="any").stream("weather?"))
    _assert_stream(chunks)
    path, body = _sent(rec)
    assert path == "/v1/chat/completions"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_astream_cut_off_forced_call_is_invalid_and_says_max_tokens() -> None:
    rec = Recorder(_stream(CUT, "length"))
    bound = _model(rec).bind_tools([get_weather], tool_choice="any")
    _assert_stream([c async for c in bound.astream("weather?")])


# ------------------------------------------------------------------ structured output
def test_json_schema_structured_output_is_enforced_through_response_format() -> None:
    rec = Recorder(json_response(_completion('{"city": "Paris"}', "stop")))
    result = _model(rec).with_structured_output(GetWeather, method="json_schema").invoke("weather?")
    assert result == GetWeather(city="Paris")
    path, body = _sent(rec)
    assert path == "/v1/chat/completions"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["city"]
    assert "output_config" not in body


def test_function_calling_structured_output_is_an_emulated_forced_call() -> None:
    rec = Recorder(json_response(_completion('{"name": "GetWeather", "arguments": {"city": "Rome"}}', "stop")))
    assert _model(rec).with_structured_output(GetWeather).invoke("weather?") == GetWeather(city="Rome")
    assert _sent(rec)[0] == "/v1/chat/completions"


# ------------------------------------------------------------------ declared in a provider file
def _spec(quirks: dict[str, Any]) -> ProviderSpec:
    return ProviderSpec.model_validate(
        {"id": "lcpp-anthropic", "engine": "anthropic", "base_url": "http://127.0.0.1:9", "quirks": quirks}
    )


def test_provider_file_quirk_turns_the_emulation_on() -> None:
    llm = ChatAnthropic.from_spec(_spec({"forced_tool_calls": "json_schema"}), "gemma")
    assert llm.forced_tool_calls == "json_schema"
    assert SpecSettings.resolve(_spec({}), "gemma", {}).set_quirks() == {}


def test_a_quirk_the_anthropic_engine_lacks_is_still_refused() -> None:
    with pytest.raises(InvalidConfigError, match=r"'drop_params'.*it supports: forced_tool_calls"):
        ChatAnthropic.from_spec(_spec({"drop_params": ["top_k"]}), "gemma")
