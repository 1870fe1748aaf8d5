"""ChatAnthropic against wire fixtures in the exact Anthropic Messages API format
(the Message object, the documented SSE event sequence, the documented error bodies),
served through httpx2.MockTransport so the real anthropic SDK does the transport.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import httpx2
import pytest
from anthropic_wire import (
    MODEL,
    Recorder,
    error_body,
    json_response,
    message,
    message_end,
    message_start,
    sse,
    sse_response,
    text_block,
    thinking_block,
    tool_block,
)
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from polyport_anthropic import ChatAnthropic
from polyport_core.errors import (
    BadResponseError,
    ContextWindowExceededError,
    InvalidConfigError,
    ProviderUnavailableError,
    RateLimitError,
    StreamInterruptedError,
)
from pydantic import BaseModel


def make(rec: Recorder, **kwargs: object) -> ChatAnthropic:
    params: dict[str, object] = {"model": MODEL, "api_key": "sk-ant-test", "max_retries": 0}
    params.update(kwargs)
    return ChatAnthropic(http_client=rec.client(), http_async_client=rec.async_client(), **params)


def collect(chunks):
    full = None
    for chunk in chunks:
        full = chunk if full is None else full + chunk
    return full


class GetWeather(BaseModel):
    """Get the current weather in a location."""

    location: str


def test_import_does_not_load_the_sdk() -> None:
    code = "import sys, polyport_anthropic; print('anthropic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_invoke_request_and_response() -> None:
    rec = Recorder(json_response(message()))
    llm = make(rec, temperature=0, stop_sequences=["END"])
    result = llm.invoke([SystemMessage("Be brief."), HumanMessage("Hi")])
    body = rec.bodies[0]
    assert rec.requests[0].url.path == "/v1/messages"
    assert body["system"] == "Be brief."
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert body["stop_sequences"] == ["END"]
    assert body["temperature"] == 0
    assert "stream" not in body
    assert result.content == "Hello!"
    assert result.usage_metadata == {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}
    assert result.response_metadata["finish_reason"] == "end_turn"
    assert result.response_metadata["model_provider"] == "anthropic"


def test_max_tokens_default_comes_from_profile() -> None:
    rec = Recorder(json_response(message()))
    make(rec, model="claude-sonnet-4-5").invoke("Hi")
    assert rec.bodies[0]["max_tokens"] == 64000
    make(rec, model="claude-sonnet-4-5", max_tokens=50).invoke("Hi")
    assert rec.bodies[1]["max_tokens"] == 50


def test_cache_usage_in_input_token_details() -> None:
    usage = {
        "input_tokens": 10,
        "cache_creation_input_tokens": 200,
        "cache_read_input_tokens": 1800,
        "output_tokens": 30,
    }
    rec = Recorder(json_response(message(usage=usage)))
    system = SystemMessage([{"type": "text", "text": "Long doc", "cache_control": {"type": "ephemeral"}}])
    result = make(rec).invoke([system, HumanMessage("Q")])
    assert rec.bodies[0]["system"] == [
        {"type": "text", "text": "Long doc", "cache_control": {"type": "ephemeral"}}
    ]
    assert result.usage_metadata == {
        "input_tokens": 2010,
        "output_tokens": 30,
        "total_tokens": 2040,
        "input_token_details": {"cache_read": 1800, "cache_creation": 200},
    }


def test_stream_text_usage_and_finish_once() -> None:
    start_usage = {"input_tokens": 5, "cache_read_input_tokens": 100, "output_tokens": 1}
    events = [
        message_start(start_usage),
        {"type": "ping"},
        *text_block(0, "Hel", "lo"),
        *message_end(output_tokens=7),
    ]
    rec = Recorder(sse_response(sse(events)))
    chunks = list(make(rec).stream("Hi"))
    assert rec.bodies[0]["stream"] is True
    assert [c.content for c in chunks if c.content] == ["Hel", "lo"]
    assert sum(1 for c in chunks if c.response_metadata.get("finish_reason")) == 1
    full = collect(chunks)
    assert full.content == "Hello"
    assert full.usage_metadata == {
        "input_tokens": 105,
        "output_tokens": 7,
        "total_tokens": 112,
        "input_token_details": {"cache_read": 100},
    }
    assert full.response_metadata["usage_estimated"] is False


def test_stream_thinking_signature_and_tool_call_round_trip() -> None:
    events = [
        message_start(),
        *thinking_block(0, ["Let me", " check."], "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
        *tool_block(1, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "GetWeather", ['{"loc', 'ation": "Paris"}']),
        *message_end("tool_use"),
    ]
    rec = Recorder(sse_response(sse(events)), json_response(message()))
    llm = make(rec, thinking={"type": "enabled", "budget_tokens": 1024}).bind_tools([GetWeather])
    full = collect(llm.stream("Weather in Paris?"))
    assert full.tool_calls == [
        {
            "name": "GetWeather",
            "args": {"location": "Paris"},
            "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
            "type": "tool_call",
        }
    ]
    reasoning = [b for b in full.content_blocks if b["type"] == "reasoning"]
    assert reasoning
    assert reasoning[0]["reasoning"] == "Let me check."
    ai = AIMessage(content=full.content, tool_calls=full.tool_calls)
    llm.invoke(
        [
            HumanMessage("Weather in Paris?"),
            ai,
            ToolMessage("Sunny", tool_call_id="toolu_01T1x1fJ34qAmk2tNTrN7Up6"),
        ]
    )
    sent = rec.bodies[1]["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": [
            {
                "type": "thinking",
                "thinking": "Let me check.",
                "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
            },
            {
                "type": "tool_use",
                "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                "name": "GetWeather",
                "input": {"location": "Paris"},
            },
        ],
    }
    assert sent[2]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        "content": "Sunny",
    }


def test_invoke_thinking_blocks_kept() -> None:
    content = [
        {"type": "thinking", "thinking": "Two plus two.", "signature": "sig-abc"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
        {"type": "text", "text": "4"},
    ]
    rec = Recorder(json_response(message(content)))
    result = make(rec).invoke("2+2?")
    assert result.content == content
    assert result.text == "4"
    make(rec).invoke([HumanMessage("2+2?"), result, HumanMessage("and 3+3?")])
    assert rec.bodies[1]["messages"][1]["content"] == content


def test_tools_and_tool_choice_shapes() -> None:
    tool_use = [{"type": "tool_use", "id": "toolu_01A", "name": "GetWeather", "input": {"location": "SF"}}]
    rec = Recorder(json_response(message(tool_use, stop_reason="tool_use")))
    base = make(rec)
    result = base.bind_tools([GetWeather], tool_choice="GetWeather", parallel_tool_calls=False).invoke("SF?")
    body = rec.bodies[0]
    assert body["tools"] == [
        {
            "name": "GetWeather",
            "description": "Get the current weather in a location.",
            "input_schema": {
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
                "type": "object",
            },
        }
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "GetWeather", "disable_parallel_tool_use": True}
    assert result.tool_calls[0]["args"] == {"location": "SF"}
    assert result.content == ""
    for choice, expected in [
        ("any", {"type": "any"}),
        ("required", {"type": "any"}),
        ("auto", {"type": "auto"}),
        ("none", {"type": "none"}),
    ]:
        base.bind_tools([GetWeather], tool_choice=choice).invoke("x")
        assert rec.bodies[-1]["tool_choice"] == expected


def test_forced_tool_with_thinking_relaxed_to_auto() -> None:
    rec = Recorder(json_response(message()))
    llm = make(rec, thinking={"type": "enabled", "budget_tokens": 1024})
    with pytest.warns(UserWarning, match="extended thinking"):
        llm.bind_tools([GetWeather], tool_choice="any").invoke("x")
    assert rec.bodies[0]["tool_choice"] == {"type": "auto"}


def test_tool_result_error_status_and_media_blocks() -> None:
    rec = Recorder(json_response(message()))
    human = HumanMessage(
        [
            {"type": "text", "text": "Describe"},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
            {"type": "file", "base64": "JVBERi0xLjQ=", "mime_type": "application/pdf"},
            {"type": "file", "url": "https://example.com/paper.pdf", "mime_type": "application/pdf"},
        ]
    )
    ai = AIMessage("", tool_calls=[{"name": "GetWeather", "args": {"location": "X"}, "id": "toolu_9"}])
    tool = ToolMessage("city not found", tool_call_id="toolu_9", status="error")
    make(rec).invoke([human, ai, tool])
    sent = rec.bodies[0]["messages"]
    assert sent[0]["content"][1:] == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQ="},
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/paper.pdf"}},
    ]
    assert sent[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_9", "content": "city not found", "is_error": True}
    ]


def test_structured_output_native_json_schema_and_tool() -> None:
    rec = Recorder(json_response(message([{"type": "text", "text": '{"location": "Oslo"}'}])))
    out = make(rec).with_structured_output(GetWeather, method="json_schema").invoke("Oslo")
    assert out == GetWeather(location="Oslo")
    fmt = rec.bodies[0]["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["additionalProperties"] is False
    make(rec).with_structured_output(GetWeather, method="json_mode").invoke("Oslo")
    assert rec.bodies[1]["output_config"] == rec.bodies[0]["output_config"]
    tool_use = [{"type": "tool_use", "id": "toolu_1", "name": "GetWeather", "input": {"location": "Rome"}}]
    rec2 = Recorder(json_response(message(tool_use, stop_reason="tool_use")))
    assert make(rec2).with_structured_output(GetWeather).invoke("Rome") == GetWeather(location="Rome")
    assert rec2.bodies[0]["tool_choice"]["type"] == "tool"


def test_rate_limit_with_retry_after() -> None:
    rec = Recorder(
        json_response(
            error_body(
                "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"
            ),
            429,
            {"retry-after": "17"},
        )
    )
    with pytest.raises(RateLimitError) as info:
        make(rec).invoke("Hi")
    assert info.value.retry_after == 17
    assert info.value.provider == "anthropic"
    assert info.value.model == MODEL
    assert "sk-ant-test" not in str(info.value)


def test_overloaded_529() -> None:
    rec = Recorder(json_response(error_body("overloaded_error", "Overloaded"), 529))
    with pytest.raises(ProviderUnavailableError, match="Overloaded") as info:
        make(rec).invoke("Hi")
    assert info.value.status_code == 529


def test_prompt_too_long_is_context_window_error() -> None:
    body = error_body("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")
    rec = Recorder(json_response(body, 400))
    with pytest.raises(ContextWindowExceededError):
        make(rec).invoke("Hi")


def test_error_event_mid_stream() -> None:
    events = [message_start(), *text_block(0, "Hel"), error_body("overloaded_error", "Overloaded")]
    rec = Recorder(sse_response(sse(events)))
    # after the first chunk reached the caller, a mid-stream error is StreamInterruptedError (cause: the 529)
    with pytest.raises(StreamInterruptedError, match="Overloaded") as caught:
        list(make(rec).stream("Hi"))
    assert isinstance(caught.value.__cause__, ProviderUnavailableError)


def test_cut_stream_is_bad_response() -> None:
    rec = Recorder(sse_response(sse([message_start(), *text_block(0, "Hel")])))
    with pytest.raises(BadResponseError, match="ended before"):
        list(make(rec).stream("Hi"))


async def test_async_invoke_and_stream() -> None:
    events = [message_start(), *text_block(0, "A", "B"), *message_end()]
    rec = Recorder(json_response(message()), sse_response(sse(events)))
    llm = make(rec)
    assert (await llm.ainvoke("Hi")).content == "Hello!"
    chunks = [c async for c in llm.astream("Hi")]
    assert "".join(c.content for c in chunks if isinstance(c.content, str)) == "AB"
    assert collect(chunks).usage_metadata["output_tokens"] == 15


def test_count_tokens_via_api_then_offline_fallback() -> None:
    rec = Recorder(json_response({"input_tokens": 42}))
    assert make(rec).get_num_tokens_from_messages([HumanMessage("Hello there")]) == 42
    assert rec.requests[0].url.path == "/v1/messages/count_tokens"
    assert rec.bodies[0] == {"model": MODEL, "messages": [{"role": "user", "content": "Hello there"}]}
    missing = Recorder(json_response(error_body("not_found_error", "Not found"), 404))
    offline = make(missing).get_num_tokens_from_messages([HumanMessage("Hello there")])
    assert len(missing.requests) == 1
    assert 0 < offline < 42


def test_secret_never_in_repr() -> None:
    llm = ChatAnthropic(model=MODEL, api_key="sk-ant-secret-value")
    assert "sk-ant-secret-value" not in repr(llm)
    assert "sk-ant-secret-value" not in str(llm.model_dump())


def test_missing_key_is_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    with pytest.raises(InvalidConfigError, match="ANTHROPIC_API_KEY"):
        ChatAnthropic(model=MODEL).invoke("x")


def test_compatible_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    rec = Recorder(json_response(message()))
    llm = ChatAnthropic(model="gemma", base_url="http://127.0.0.1:9", http_client=rec.client(), max_retries=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert llm.invoke("x").content == "Hello!"
    assert rec.requests[0].url == httpx2.URL("http://127.0.0.1:9/v1/messages")


def test_a_key_declared_in_its_own_header_is_sent_only_there(tmp_path, monkeypatch) -> None:
    """A spec with ``auth.type: header`` (e.g. a gateway's ``x-gateway-key``): the key goes in that
    header, never also as the SDK's ``x-api-key`` or ``Authorization``."""
    import json as _json

    from polyport_core.registry import Registry, init_chat_model

    monkeypatch.setenv("GATEWAY_KEY", "sk-gw-planted-123")
    spec = {
        "id": "gw", "engine": "anthropic", "base_url": "http://127.0.0.1:9/v1",
        "auth": {"type": "header", "header_name": "x-gateway-key", "api_key_env": "GATEWAY_KEY"},
    }  # fmt: skip
    (tmp_path / "gw.json").write_text(_json.dumps(spec))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path])
    rec = Recorder(json_response(message()))
    llm = init_chat_model(
        "gw:claude-x", registry=registry, governance=False, max_tokens=8,
        http_client=rec.client(), http_async_client=rec.async_client(),
    )  # fmt: skip
    llm.invoke("hello")
    headers = rec.requests[0].headers
    assert headers["x-gateway-key"] == "sk-gw-planted-123"
    sent_elsewhere = [k for k, v in headers.items() if "sk-gw-planted-123" in v and k != "x-gateway-key"]
    assert sent_elsewhere == []


def test_a_body_of_the_wrong_shape_is_a_bad_response_not_an_attribute_error() -> None:
    """A server that answers 200 with ``content`` items that are not objects (not the Messages API)."""
    body = message()
    body["content"] = [["not", "a", "block"]]
    rec = Recorder(json_response(body))
    with pytest.raises(BadResponseError, match="expected shape") as info:
        make(rec).invoke("hello")
    assert "[provider=anthropic, model=" in str(info.value)
