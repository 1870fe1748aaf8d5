"""ChatOpenAI against wire fixtures in OpenAI's documented format (see _wire.py)."""

from __future__ import annotations

import json
import logging

import httpx2
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from polyport_core.errors import (
    AuthenticationError,
    BadResponseError,
    ContextWindowExceededError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitError,
)
from polyport_openai import ChatOpenAI
from pydantic import BaseModel

from ._wire import (
    WEATHER_TOOL,
    Recorder,
    chunk,
    completion,
    error_body,
    json_response,
    sse,
    sse_response,
    usage_chunk,
)

SECRET = "sk-test-SECRET-1234567890"


def make(recorder: Recorder, **kwargs: object) -> ChatOpenAI:
    params: dict[str, object] = {
        "model": "gpt-4o-mini",
        "api_key": SECRET,
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
    }
    params.update(kwargs)
    return ChatOpenAI(**params)  # type: ignore[arg-type]


def test_invoke_builds_message_usage_and_metadata() -> None:
    recorder = Recorder(json_response(completion("Hi there")))
    result = make(recorder, temperature=0.2, max_tokens=7, seed=3).invoke("Hello")
    assert result.content == "Hi there"
    assert result.usage_metadata == {"input_tokens": 19, "output_tokens": 10, "total_tokens": 29}
    assert result.response_metadata["model_provider"] == "openai"
    assert result.response_metadata["model_name"] == "gpt-4o-mini-2024-07-18"
    assert result.response_metadata["finish_reason"] == "stop"
    body = recorder.bodies[0]
    assert body["messages"] == [{"role": "user", "content": "Hello"}]
    assert body["temperature"] == 0.2
    assert body["seed"] == 3
    assert body["max_completion_tokens"] == 7  # official OpenAI uses the new field name
    assert recorder.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_compatible_server_gets_max_tokens_and_extra_body() -> None:
    recorder = Recorder(json_response(completion()))
    model = make(recorder, base_url="http://server.test/v1", max_tokens=5, extra_body={"top_k": 4})
    model.invoke("x", stop=["\n"])
    body = recorder.bodies[0]
    assert body["max_tokens"] == 5
    assert "max_completion_tokens" not in body
    assert body["top_k"] == 4
    assert body["stop"] == ["\n"]
    assert str(recorder.requests[0].url) == "http://server.test/v1/chat/completions"


def test_drop_params_and_developer_role_quirks() -> None:
    recorder = Recorder(json_response(completion()))
    model = make(
        recorder, base_url="http://s.test/v1", drop_params=["parallel_tool_calls"], developer_as_system=True
    )
    bound = model.bind_tools(
        [{"type": "function", "function": {"name": "f", "parameters": {}}}], parallel_tool_calls=False
    )
    bound.invoke(
        [SystemMessage("rules", additional_kwargs={"__openai_role__": "developer"}), HumanMessage("x")]
    )
    body = recorder.bodies[0]
    assert "parallel_tool_calls" not in body
    assert all(m["role"] != "developer" for m in body["messages"])


def test_cached_and_reasoning_token_details() -> None:
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 50,
        "total_tokens": 150,
        "prompt_tokens_details": {"cached_tokens": 64},
        "completion_tokens_details": {"reasoning_tokens": 30},
    }
    result = make(Recorder(json_response(completion(usage=usage)))).invoke("x")
    assert result.usage_metadata is not None
    assert result.usage_metadata["input_token_details"] == {"cache_read": 64}
    assert result.usage_metadata["output_token_details"] == {"reasoning": 30}


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_from_compatible_servers_is_surfaced(field: str) -> None:
    recorder = Recorder(json_response(completion("42", extra_message={field: "Let me think."})))
    result = make(recorder, base_url="http://deepseek.test/v1").invoke("x")
    assert result.additional_kwargs["reasoning_content"] == "Let me think."
    assert any(block["type"] == "reasoning" for block in result.content_blocks)


def test_reasoning_sent_back_when_configured() -> None:
    recorder = Recorder(json_response(completion()))
    history = [
        HumanMessage("q"),
        AIMessage(
            "",
            tool_calls=[{"name": "f", "args": {}, "id": "call_1"}],
            additional_kwargs={"reasoning_content": "I should call f"},
        ),
        ToolMessage("ok", tool_call_id="call_1"),
    ]
    make(recorder, base_url="http://deepseek.test/v1", send_reasoning=True).invoke(history)
    assistant = recorder.bodies[0]["messages"][1]
    assert assistant["reasoning_content"] == "I should call f"
    assert assistant["content"] is None
    assert assistant["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}


def test_reasoning_content_stream_deltas() -> None:
    events = [
        chunk({"role": "assistant", "content": None, "reasoning_content": "Think"}),
        chunk({"reasoning_content": "ing..."}),
        chunk({"content": "Answer"}),
        chunk({}, "stop"),
        usage_chunk(),
    ]
    recorder = Recorder(sse_response(sse(events)))
    chunks = list(make(recorder, base_url="http://vllm.test/v1").stream("x"))
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.additional_kwargs["reasoning_content"] == "Thinking..."
    assert full.content == "Answer"
    assert full.usage_metadata == {"input_tokens": 9, "output_tokens": 12, "total_tokens": 21}
    assert full.response_metadata["usage_estimated"] is False
    assert recorder.bodies[0]["stream_options"] == {"include_usage": True}


def test_stream_without_usage_is_estimated_and_marked() -> None:
    events = [
        chunk({"role": "assistant", "content": "Hello"}),
        chunk({"content": " world"}),
        chunk({}, "stop"),
    ]
    chunks = list(make(Recorder(sse_response(sse(events))), base_url="http://lcpp.test/v1").stream("Say hi"))
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.content == "Hello world"
    assert full.response_metadata["usage_estimated"] is True
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] == 2
    assert full.usage_metadata["input_tokens"] > 0


def test_stream_cut_midway_raises_instead_of_truncating() -> None:
    events = [chunk({"role": "assistant", "content": "Hel"}), chunk({"content": "lo"})]
    with pytest.raises(BadResponseError, match="stream ended before"):
        list(make(Recorder(sse_response(sse(events, done=False)))).stream("x"))


def test_error_event_mid_stream_is_raised() -> None:
    events = [chunk({"content": "a"}), {"error": {"message": "upstream overloaded", "type": "server_error"}}]
    with pytest.raises(BadResponseError, match="upstream overloaded"):
        list(make(Recorder(sse_response(sse(events)))).stream("x"))


def test_malformed_json_is_a_bad_response() -> None:
    bad = httpx2.Response(200, content=b"{not json", headers={"content-type": "application/json"})
    with pytest.raises(BadResponseError, match="invalid JSON"):
        make(Recorder(bad)).invoke("x")


def test_streamed_tool_calls_merge_even_when_server_repeats_id_and_name() -> None:
    """llama-cpp-python repeats id and name in every chunk of one call."""
    call = {"index": 0, "id": "call_9", "type": "function"}
    events = [
        chunk(
            {"role": "assistant", "tool_calls": [{**call, "function": {"name": "Joke", "arguments": '{"se'}}]}
        ),
        chunk({"tool_calls": [{**call, "function": {"name": "Joke", "arguments": 'tup": "x"}'}}]}),
        chunk({}, "tool_calls"),
    ]
    chunks = list(make(Recorder(sse_response(sse(events)))).stream("x"))
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.tool_calls == [{"name": "Joke", "args": {"setup": "x"}, "id": "call_9", "type": "tool_call"}]


def test_tool_calls_parsed_and_invalid_arguments_kept_as_invalid() -> None:
    calls = [
        {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}},
        {"id": "call_2", "type": "function", "function": {"name": "add", "arguments": "{oops"}},
    ]
    result = make(
        Recorder(json_response(completion(None, tool_calls=calls, finish_reason="tool_calls")))
    ).invoke("x")
    assert result.tool_calls == [
        {"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1", "type": "tool_call"}
    ]
    assert result.invalid_tool_calls[0]["id"] == "call_2"


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("required", "required"),
        ("any", "required"),
        ("auto", "auto"),
        ("none", "none"),
        ("add", {"type": "function", "function": {"name": "add"}}),
        (True, {"type": "function", "function": {"name": "add"}}),
    ],
)
def test_bind_tools_tool_choice(choice: object, expected: object) -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    recorder = Recorder(json_response(completion()))
    make(recorder).bind_tools([add], tool_choice=choice, strict=True, parallel_tool_calls=False).invoke("x")
    body = recorder.bodies[0]
    assert body["tool_choice"] == expected
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["strict"] is True
    assert body["tools"][0]["function"]["name"] == "add"


def test_unsupported_named_tool_choice_is_rewritten() -> None:
    recorder = Recorder(json_response(completion()))
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
    make(recorder, unsupported_tool_choice=["named"]).bind_tools([tool], tool_choice="f").invoke("x")
    assert recorder.bodies[0]["tool_choice"] == "required"


class Person(BaseModel):
    """A person."""

    name: str
    age: int


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_structured_output_json_methods(method: str) -> None:
    recorder = Recorder(json_response(completion('{"name": "Ada", "age": 36}')))
    result = make(recorder).with_structured_output(Person, method=method).invoke("x")  # type: ignore[arg-type]
    assert result == Person(name="Ada", age=36)
    response_format = recorder.bodies[0]["response_format"]
    if method == "json_schema":
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["schema"]["properties"]["age"]["type"] == "integer"
    else:
        assert response_format == {"type": "json_object"}


def test_structured_output_function_calling_include_raw() -> None:
    calls = [
        {
            "id": "c",
            "type": "function",
            "function": {"name": "Person", "arguments": '{"name": "A", "age": 1}'},
        }
    ]
    recorder = Recorder(json_response(completion(None, tool_calls=calls, finish_reason="tool_calls")))
    out = make(recorder).with_structured_output(Person, method="function_calling", include_raw=True).invoke("x")
    assert isinstance(out, dict)
    assert out["parsed"] == Person(name="A", age=1)
    assert out["parsing_error"] is None
    assert recorder.bodies[0]["tool_choice"] == {"type": "function", "function": {"name": "Person"}}


def test_structured_output_defaults_to_json_schema_as_langchain_openai() -> None:
    recorder = Recorder(json_response(completion('{"name": "Ada", "age": 36}')))
    assert make(recorder).with_structured_output(Person).invoke("x") == Person(name="Ada", age=36)
    assert recorder.bodies[0]["response_format"]["type"] == "json_schema"
    assert "tools" not in recorder.bodies[0]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"structured_output": False}, "tool_choice"),
        ({"structured_output": False, "tool_calling": False}, "response_format"),
    ],
)
def test_structured_output_default_falls_back_per_declared_facts(facts: dict[str, bool], expected: str) -> None:
    recorder = Recorder(json_response(completion('{"name": "Ada", "age": 36}')))
    model = make(recorder).model_copy(update={"profile": facts})
    model.with_structured_output(Person, include_raw=True).invoke("x")
    body = recorder.bodies[0]
    assert expected in body
    if expected == "response_format":
        assert body["response_format"] == {"type": "json_object"}  # neither schema nor tools declared


def test_image_input_is_sent_as_image_url() -> None:
    recorder = Recorder(json_response(completion()))
    message = HumanMessage(
        content=[
            {"type": "text", "text": "what is this?"},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
        ]
    )
    make(recorder).invoke([message])
    parts = recorder.bodies[0]["messages"][0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


async def test_async_invoke_and_stream() -> None:
    events = [chunk({"content": "a"}), chunk({"content": "b"}, "stop"), usage_chunk(3, 2)]
    recorder = Recorder(json_response(completion("async!")), sse_response(sse(events)))
    model = make(recorder)
    assert (await model.ainvoke("x")).content == "async!"
    pieces = [c.content async for c in model.astream("x")]
    assert "".join(str(p) for p in pieces) == "ab"


def test_rate_limit_maps_with_retry_after_and_names_model() -> None:
    limited = json_response(
        error_body("Rate limit reached for gpt-4o-mini", "requests", "rate_limit_exceeded"),
        429,
        {"retry-after": "7", "x-ratelimit-remaining-requests": "0"},
    )
    with pytest.raises(RateLimitError) as info:
        make(Recorder(limited), provider="openai").invoke("x")
    assert info.value.retry_after == 7.0
    assert info.value.model == "gpt-4o-mini"
    assert "provider=openai" in str(info.value)


def test_retry_after_ms_is_preferred() -> None:
    limited = json_response(
        error_body("slow down", "requests"), 429, {"retry-after-ms": "1500", "retry-after": "9"}
    )
    with pytest.raises(RateLimitError) as info:
        make(Recorder(limited)).invoke("x")
    assert info.value.retry_after == 1.5


def test_authentication_error_never_leaks_the_key(caplog: pytest.LogCaptureFixture) -> None:
    body = error_body(
        f"Incorrect API key provided: {SECRET[:3]}***{SECRET[-4:]}.",
        "invalid_request_error",
        "invalid_api_key",
    )
    caplog.set_level(logging.DEBUG)
    model = make(Recorder(json_response(body, 401)))
    with pytest.raises(AuthenticationError) as info:
        model.invoke("x")
    assert SECRET not in str(info.value)
    assert SECRET not in repr(model)
    assert SECRET not in json.dumps(model.model_dump(mode="json"), default=str)
    assert SECRET not in caplog.text


def test_not_found_and_context_window_errors() -> None:
    missing = json_response(
        error_body("The model `nope` does not exist", "invalid_request_error", "model_not_found"), 404
    )
    with pytest.raises(NotFoundError, match="does not exist"):
        make(Recorder(missing), model="nope").invoke("x")
    too_long = json_response(
        error_body(
            "This model's maximum context length is 8192 tokens.",
            "invalid_request_error",
            "context_length_exceeded",
        ),
        400,
    )
    with pytest.raises(ContextWindowExceededError):
        make(Recorder(too_long)).invoke("x")


def test_server_error_maps_to_unavailable() -> None:
    with pytest.raises(ProviderUnavailableError):
        make(Recorder(json_response(error_body("boom", "server_error"), 503))).invoke("x")


def test_sdk_retries_are_used_not_reimplemented() -> None:
    recorder = Recorder(
        json_response(error_body("busy", "server_error"), 503, {"retry-after-ms": "1"}),
        json_response(completion("second try")),
    )
    assert make(recorder, max_retries=1).invoke("x").content == "second try"
    assert len(recorder.requests) == 2


def test_token_counting_never_raises_for_unknown_models_and_counts_tools() -> None:
    model = make(Recorder(json_response(completion())), model="some-unknown/local-model")
    messages = [HumanMessage("How many tokens is this?")]
    base = model.get_num_tokens_from_messages(messages)
    tool = {
        "type": "function",
        "function": {"name": "lookup", "description": "Look a thing up", "parameters": {}},
    }
    assert base > 0
    assert model.get_num_tokens_from_messages(messages, tools=[tool]) > base


def test_forced_tool_call_emulated_with_json_schema() -> None:
    recorder = Recorder(json_response(completion('{"name": "get_weather", "arguments": {"city": "Paris"}}')))
    model = make(recorder, base_url="http://lcpp.test/v1", forced_tool_calls="json_schema")
    result = model.bind_tools([WEATHER_TOOL], tool_choice="get_weather").invoke("weather?")
    assert result.tool_calls[0]["name"] == "get_weather"
    assert result.tool_calls[0]["args"] == {"city": "Paris"}
    assert result.response_metadata["finish_reason"] == "tool_calls"
    body = recorder.bodies[0]
    assert "tools" not in body
    assert "tool_choice" not in body
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["name"]["enum"] == ["get_weather"]
    assert "__polyport_forced_tool__" not in body


def test_forced_tool_call_emulated_on_stream() -> None:
    text = '{"name": "get_weather", "arguments": {"city": "Oslo"}}'
    events = [chunk({"content": text[:20]}), chunk({"content": text[20:]}), chunk({}, "stop"), usage_chunk()]
    model = make(
        Recorder(sse_response(sse(events))), base_url="http://lcpp.test/v1", forced_tool_calls="json_schema"
    )
    chunks = list(model.bind_tools([WEATHER_TOOL], tool_choice="required").stream("weather?"))
    full = chunks[0]
    for piece in chunks[1:]:
        full += piece
    assert full.content == ""
    assert full.tool_calls[0]["args"] == {"city": "Oslo"}
    assert full.usage_metadata is not None


def test_auto_tool_choice_is_not_emulated() -> None:
    recorder = Recorder(json_response(completion("plain text")))
    model = make(recorder, base_url="http://lcpp.test/v1", forced_tool_calls="json_schema")
    assert model.bind_tools([WEATHER_TOOL]).invoke("hi").content == "plain text"
    assert recorder.bodies[0]["tools"][0]["function"]["name"] == "get_weather"
