"""The declarative http engine: spec validation, body templates, JSON-path response maps,
SSE/NDJSON streams, through ``httpx.MockTransport`` (no sockets).

Bodies follow documented vendor formats: llama.cpp ``/completion`` (tools/server/README.md)
and Hugging Face Text Generation Inference ``/generate`` / ``/generate_stream``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from polyport_core.adapters import ChatHTTP, get_path
from polyport_core.errors import BadResponseError, InvalidConfigError
from polyport_core.registry import Registry, init_chat_model
from polyport_core.spec import HTTPEngineSpec, parse_spec

SPEC_FILE = Path(__file__).parents[2] / "integration_tests" / "specs" / "llamacpp-native.json"

TGI = {
    "path": "/generate",
    "body": {
        "inputs": "{prompt}",
        "parameters": {"max_new_tokens": "{max_tokens}", "temperature": "{temperature}", "stop": "{stop}"},
        "note": "system={system}",
    },
    "prompt": {"message": "[{role}] {content}\n", "suffix": "[assistant] "},
    "response": {
        "text": "generated_text",
        "finish_reason": "details.finish_reason",
        "output_tokens": "details.generated_tokens",
    },
    "finish_reasons": {"eos_token": "stop"},
}
TGI_ANSWER = {"generated_text": "Paris", "details": {"finish_reason": "eos_token", "generated_tokens": 2}}


def tgi_model(handler: Any, http: dict[str, Any] | None = None, **kwargs: Any) -> ChatHTTP:
    return ChatHTTP(
        model="tgi",
        base_url="http://tgi.test",
        http=HTTPEngineSpec.model_validate(http or TGI),
        transport=httpx.MockTransport(handler),
        async_transport=httpx.MockTransport(handler),
        **kwargs,
    )


def test_get_path() -> None:
    data = {"choices": [{"delta": {"content": "hi"}}], "n": 0}
    assert get_path(data, "choices[0].delta.content") == "hi"
    assert get_path(data, "$.choices.0.delta.content") == "hi"
    assert get_path(data, "choices[3].delta") is None
    assert get_path(data, "n") == 0
    assert get_path(data, "missing.deeper") is None


def test_body_template_and_response_map() -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=TGI_ANSWER)

    message = tgi_model(handler, max_tokens=5).invoke([("system", "Be brief."), ("human", "Capital of France?")])
    assert seen[0] == {
        "inputs": "[system] Be brief.\n[user] Capital of France?\n[assistant] ",
        "parameters": {"max_new_tokens": 5},  # unset temperature/stop are dropped
        "note": "system=Be brief.",
    }
    assert message.content == "Paris"
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] == 2


def test_missing_text_is_a_bad_response() -> None:
    with pytest.raises(BadResponseError, match="generated_text"):
        tgi_model(lambda r: httpx.Response(200, json={"oops": 1})).invoke("hi")


def test_without_stream_section_streaming_yields_the_whole_answer() -> None:
    chunks = list(tgi_model(lambda r: httpx.Response(200, json=TGI_ANSWER)).stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "Paris"


def test_ndjson_stream_with_done_path_and_value() -> None:
    # TGI-like token stream as NDJSON; the final event has details.
    http = {
        **TGI,
        "path": "/generate_stream",
        "stream": {"format": "ndjson", "text": "token.text", "done": "details.finish_reason", "done_data": None},
    }
    lines = [
        {"token": {"id": 1, "text": "Pa"}, "generated_text": None, "details": None},
        {"token": {"id": 2, "text": "ris"}, "generated_text": "Paris", "details": TGI_ANSWER["details"]},
    ]
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    chunks = list(tgi_model(lambda r: httpx.Response(200, content=body), http).stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "Paris"
    finishes = [c.response_metadata["finish_reason"] for c in chunks if c.response_metadata.get("finish_reason")]
    assert finishes == ["stop"]


def test_sse_stream_ending_with_done_data() -> None:
    # OpenAI Chat Completions chunks, ended by `data: [DONE]`.
    http = {
        "path": "/v1/chat/completions",
        "body": {"model": "{model}", "messages": "{messages}", "stream": "{stream}"},
        "response": {"text": "choices[0].message.content", "finish_reason": "choices[0].finish_reason"},
        "stream": {"format": "sse", "text": "choices[0].delta.content", "done": "choices[0].finish_reason"},
    }
    events = [
        {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    sent: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return httpx.Response(200, content=data.encode())

    chunks = list(tgi_model(handler, http).stream("hello"))
    assert "".join(str(c.content) for c in chunks) == "Hi"
    assert sent[0] == {"model": "tgi", "messages": [{"role": "user", "content": "hello"}], "stream": True}


def test_cut_stream_is_detected() -> None:
    http = {**TGI, "stream": {"format": "ndjson", "text": "token.text", "done": "details", "done_data": None}}
    body = json.dumps({"token": {"text": "Pa"}, "details": None}).encode() + b"\n"
    with pytest.raises(BadResponseError, match="stream ended"):
        list(tgi_model(lambda r: httpx.Response(200, content=body), http).stream("hi"))


def test_structured_output_needs_the_placeholder() -> None:
    with pytest.raises(InvalidConfigError, match="json_schema"):
        tgi_model(lambda r: httpx.Response(200, json=TGI_ANSWER)).with_structured_output(
            {"title": "A", "type": "object", "properties": {}}, method="json_schema"
        )


@pytest.mark.parametrize(
    ("http", "error"),
    [
        ({**TGI, "body": {"inputs": "{promt}"}}, "unknown: promt"),
        ({**TGI, "path": "generate"}, "starting with '/'"),
        ({**TGI, "stream": {"text": "t", "done_data": None}}, "done"),
    ],
)
def test_bad_http_sections_are_rejected(http: dict[str, Any], error: str) -> None:
    with pytest.raises(Exception, match=error):
        parse_spec({"id": "x", "engine": "http", "base_url": "http://x.test", "http": http}, source="t.json")


def test_http_engine_requires_the_section() -> None:
    with pytest.raises(Exception, match="'http' section"):
        parse_spec({"id": "x", "engine": "http", "base_url": "http://x.test"}, source="t.json")


def test_spec_file_loads_through_the_registry_as_chat_http() -> None:
    registry = Registry.discover(
        presets=False, plugins=False, user=False, project=[SPEC_FILE.parent], env={"LLAMACPP_BASE_URL": "http://l.test"}
    )
    assert not registry.errors, registry.errors
    model = init_chat_model("llamacpp-native:gemma", registry=registry, max_tokens=4)
    assert isinstance(model, ChatHTTP)
    assert model.http.path == "/completion"
    assert model.base_url == "http://l.test"


WEATHER = {"title": "get_weather", "description": "Weather in a city.", "type": "object",
           "properties": {"city": {"type": "string"}}, "required": ["city"]}  # fmt: skip


def test_bind_tools_refuses_at_bind_time_without_a_json_schema_placeholder() -> None:
    model = tgi_model(lambda r: httpx.Response(200, json=TGI_ANSWER))
    with pytest.raises(InvalidConfigError, match=r"cannot call tools.*\{json_schema\}"):
        model.bind_tools([WEATHER])


def test_prompted_tools_with_a_forced_call_through_json_schema() -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        answer = '{"name": "get_weather", "arguments": {"city": "Oslo"}}'
        return httpx.Response(200, json={"generated_text": answer, "details": {"finish_reason": "eos_token"}})

    http = {**TGI, "body": {**TGI["body"], "grammar": "{json_schema}"}}
    message = tgi_model(handler, http).bind_tools([WEATHER], tool_choice="get_weather").invoke("Oslo?")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("get_weather", {"city": "Oslo"})]
    assert seen[0]["grammar"]["properties"]["name"]["enum"] == ["get_weather"]
    assert seen[0]["inputs"].startswith("[system] You can call these tools:")


def test_anthropic_history_renders_as_text() -> None:
    """Thinking (with its signature) and tool_use blocks are not text: the prompt carries the text
    of each turn, the call as the prompted-tools JSON and the result as a user turn."""
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=TGI_ANSWER)

    call = {"name": "get_weather", "args": {"city": "Oslo"}, "id": "toolu_1", "type": "tool_call"}
    history = [
        HumanMessage([{"type": "text", "text": "Hello", "cache_control": {"type": "ephemeral"}}]),
        AIMessage(
            [{"type": "thinking", "thinking": "A greeting.", "signature": "ErUB"}, {"type": "text", "text": "Hi."}]
        ),
        AIMessage(
            [
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}},
            ],
            tool_calls=[call],
        ),
        ToolMessage("sunny", tool_call_id="toolu_1"),
    ]
    http = {**TGI, "body": {**TGI["body"], "grammar": "{json_schema}"}}
    tgi_model(handler, http).bind_tools([WEATHER]).invoke(history)
    prompt = seen[0]["inputs"].split("\n[user] ", 1)[1]
    assert prompt == (
        'Hello\n[assistant] Hi.\n[assistant] Checking.\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n'
        "[user] Result of get_weather: sunny\n[assistant] "
    )


def test_cache_read_tokens_path_fills_the_usage_details() -> None:
    """llama.cpp ``/completion`` (tools/server/README.md): ``timings.cache_n`` prompt tokens came from
    the KV cache; the spec file maps it with ``response.cache_read_tokens``, on invoke and stream."""
    http = json.loads(SPEC_FILE.read_text())["http"]
    answer = {"content": " 4", "stop": True, "stop_type": "limit", "model": "gemma", "tokens_evaluated": 9,
              "tokens_predicted": 1, "timings": {"cache_n": 7, "prompt_n": 2, "predicted_n": 1}}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            return httpx.Response(200, content=f"data: {json.dumps(answer)}\n\n".encode())
        return httpx.Response(200, json=answer)

    expected = {"input_tokens": 9, "output_tokens": 1, "total_tokens": 10, "input_token_details": {"cache_read": 7}}
    model = tgi_model(handler, http)
    assert model.invoke("1, 2, 3,").usage_metadata == expected
    assert [c.usage_metadata for c in model.stream("1, 2, 3,") if c.usage_metadata] == [expected]
    unmapped = {**http, "response": {k: v for k, v in http["response"].items() if k != "cache_read_tokens"}}
    assert "input_token_details" not in (tgi_model(handler, unmapped).invoke("1,").usage_metadata or {})
