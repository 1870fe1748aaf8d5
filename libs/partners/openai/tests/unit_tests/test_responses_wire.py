"""ChatOpenAI on OpenAI's Responses API, against wire fixtures in the documented format.

The bodies and SSE events follow OpenAI's API reference for the Responses API (the
``response`` object and the Responses streaming events), as typed by the openai Python
SDK 3.54 — see ``_responses_wire.py``. They are served to the real openai SDK through
``httpx2.MockTransport``, so the SDK's transport, auth and error classes run as in
production.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from polyport_core.errors import (
    BadRequestError,
    BadResponseError,
    InvalidConfigError,
    ProviderUnavailableError,
    RateLimitError,
)
from polyport_core.ledger import SQLiteLedger
from polyport_core.registry import Registry, init_chat_model
from polyport_openai import AzureChatOpenAI, ChatOpenAI
from pydantic import BaseModel

from ._responses_wire import (
    CALL_ID,
    CALL_ITEM_ID,
    MESSAGE_ID,
    MODEL,
    REASONING_ID,
    RESPONSE_ID,
    URL_CITATION,
    WEATHER_TOOL,
    WEB_SEARCH_ITEM,
    EventStream,
    function_call_item,
    message_item,
    reasoning_item,
    response,
    sse_response,
    usage,
)
from ._wire import Recorder, error_body, json_response

SECRET = "sk-test-SECRET-1234567890"


def make(recorder: Recorder, **kwargs: Any) -> ChatOpenAI:
    params: dict[str, Any] = {
        "model": "gpt-4.1",
        "api_key": SECRET,
        "max_retries": 0,
        "http_client": recorder.client(),
        "http_async_client": recorder.async_client(),
        "use_responses_api": True,
    }
    params.update(kwargs)
    return ChatOpenAI(**params)


def merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _stream_of(*output: dict[str, Any]) -> EventStream:
    events = EventStream().created()
    for position, item in enumerate(output):
        if item["type"] == "reasoning":
            events.reasoning(position, *[part["text"] for part in item["summary"]])
        elif item["type"] == "message":
            part = item["content"][0]
            events.text(position, *re.findall(r"\S+\s*", part["text"]), annotations=part["annotations"])
        elif item["type"] == "function_call":
            events.function_call(position, item["arguments"][:8], item["arguments"][8:])
    return events.completed(list(output), usage_=usage(cached=4, reasoning=20))


# ---------------------------------------------------------------------------- request and response


def test_invoke_sends_responses_body_and_reads_the_answer() -> None:
    recorder = Recorder(json_response(response([message_item("Hi there")], usage_=usage(cached=4))))
    model = make(recorder, temperature=0.2, max_tokens=7, top_p=0.5)
    result = model.invoke([SystemMessage("Be brief."), HumanMessage("Hello")])
    request = recorder.requests[0]
    assert str(request.url) == "https://api.openai.com/v1/responses"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert recorder.bodies[0] == {
        "model": "gpt-4.1",
        "input": [
            {"type": "message", "role": "system", "content": "Be brief."},
            {"type": "message", "role": "user", "content": "Hello"},
        ],
        "temperature": 0.2,
        "top_p": 0.5,
        "max_output_tokens": 7,
    }
    assert result.content == [{"type": "text", "text": "Hi there", "annotations": [], "id": MESSAGE_ID}]
    assert result.text == "Hi there"
    assert result.id == RESPONSE_ID
    assert result.response_metadata["id"] == RESPONSE_ID
    assert result.response_metadata["model_name"] == MODEL
    assert result.response_metadata["finish_reason"] == "stop"
    assert result.response_metadata["status"] == "completed"
    assert result.usage_metadata == {
        "input_tokens": 36,
        "output_tokens": 87,
        "total_tokens": 123,
        "input_token_details": {"cache_read": 4},
    }


async def test_ainvoke_takes_the_same_path() -> None:
    recorder = Recorder(json_response(response([message_item("async hi")])))
    result = await make(recorder).ainvoke("Hello")
    assert str(recorder.requests[0].url).endswith("/v1/responses")
    assert result.text == "async hi"
    assert result.response_metadata["id"] == RESPONSE_ID


def test_user_images_and_developer_role_become_input_items() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}
    make(recorder).invoke(
        [
            SystemMessage("Rules.", additional_kwargs={"__openai_role__": "developer"}),
            HumanMessage(content=[{"type": "text", "text": "What is this?"}, image]),
            HumanMessage(content=[{"type": "image", "base64": "aGVsbG8=", "mime_type": "image/png"}]),
        ]
    )
    assert recorder.bodies[0]["input"] == [
        {"type": "message", "role": "developer", "content": "Rules."},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"},
            ],
        },
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_image", "image_url": "data:image/png;base64,aGVsbG8="}],
        },
    ]


def test_incomplete_response_reports_length() -> None:
    body = response([message_item("cut")], status="incomplete", incomplete_reason="max_output_tokens")
    result = make(Recorder(json_response(body))).invoke("x")
    assert result.response_metadata["finish_reason"] == "length"
    assert result.response_metadata["incomplete_details"] == {"reason": "max_output_tokens"}


# ---------------------------------------------------------------------------- tools


def test_tool_round_trip() -> None:
    first = response([function_call_item()])
    second = response([message_item("It is sunny in Paris.")], response_id="resp_second")
    recorder = Recorder(json_response(first), json_response(second))
    model = make(recorder).bind_tools([WEATHER_TOOL], tool_choice="get_weather")
    call = model.invoke("Weather in Paris?")
    assert call.tool_calls == [{"name": "get_weather", "args": {"city": "Paris"}, "id": CALL_ID, "type": "tool_call"}]
    assert call.response_metadata["finish_reason"] == "tool_calls"
    body = recorder.bodies[0]
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        }
    ]
    assert body["tool_choice"] == {"type": "function", "name": "get_weather"}
    answer = model.invoke([HumanMessage("Weather in Paris?"), call, ToolMessage("sunny", tool_call_id=CALL_ID)])
    assert answer.text == "It is sunny in Paris."
    assert recorder.bodies[1]["input"] == [
        {"type": "message", "role": "user", "content": "Weather in Paris?"},
        function_call_item(),  # the item as the server sent it (its id and status), index-free
        {"type": "function_call_output", "call_id": CALL_ID, "output": "sunny"},
    ]


def test_tool_calls_without_items_become_function_call_items() -> None:
    recorder = Recorder(json_response(response([message_item("ok")])))
    history = [
        HumanMessage("q"),
        AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_9"}]),
        ToolMessage([{"type": "text", "text": "rain"}], tool_call_id="call_9"),
    ]
    make(recorder).invoke(history)
    assert recorder.bodies[0]["input"][1:] == [
        {"type": "function_call", "call_id": "call_9", "name": "get_weather", "arguments": '{"city": "Oslo"}'},
        {"type": "function_call_output", "call_id": "call_9", "output": [{"type": "input_text", "text": "rain"}]},
    ]


def test_arguments_that_are_not_json_become_an_invalid_tool_call() -> None:
    recorder = Recorder(json_response(response([function_call_item('{"city": "Par')])))
    result = make(recorder).invoke("x")
    assert result.tool_calls == []
    (invalid,) = result.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert invalid["args"] == '{"city": "Par'
    assert invalid["id"] == CALL_ID
    assert "not JSON" in (invalid["error"] or "")


# ---------------------------------------------------------------------------- reasoning


def test_reasoning_with_a_summary_selects_responses_and_comes_back() -> None:
    body = response(
        [reasoning_item("First I think.", encrypted="gAAAA-enc"), message_item("42")], usage_=usage(reasoning=20)
    )
    recorder = Recorder(json_response(body), json_response(response([message_item("ok")])))
    model = make(
        recorder,
        use_responses_api=None,
        reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"],
        store=False,
    )
    result = model.invoke("Meaning of life?")
    assert str(recorder.requests[0].url).endswith("/v1/responses")
    sent = recorder.bodies[0]
    assert sent["reasoning"] == {"effort": "low", "summary": "auto"}
    assert sent["include"] == ["reasoning.encrypted_content"]
    assert sent["store"] is False
    assert result.content[0] == {
        "type": "reasoning",
        "id": REASONING_ID,
        "summary": [{"type": "summary_text", "text": "First I think."}],
        "encrypted_content": "gAAAA-enc",
    }
    assert [b["type"] for b in result.content_blocks] == ["reasoning", "text"]
    assert result.content_blocks[0].get("reasoning") == "First I think."
    assert result.usage_metadata is not None
    assert result.usage_metadata["output_token_details"] == {"reasoning": 20}
    model.invoke([HumanMessage("Meaning of life?"), result, HumanMessage("Why?")])
    replayed = recorder.bodies[1]["input"]
    assert replayed[1]["type"] == "reasoning"  # store=False: sent back because it is encrypted
    assert replayed[1]["encrypted_content"] == "gAAAA-enc"
    assert replayed[2] == {  # store=False: no server item id
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "42", "annotations": []}],
    }


def test_reasoning_effort_goes_inside_reasoning() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    make(recorder, reasoning_effort="high", verbosity="low").invoke("x")
    body = recorder.bodies[0]
    assert body["reasoning"] == {"effort": "high"}
    assert body["text"] == {"verbosity": "low"}
    assert "reasoning_effort" not in body


# ---------------------------------------------------------------------------- built-in tools


def test_builtin_tool_selects_responses_and_passes_through() -> None:
    output = [WEB_SEARCH_ITEM, message_item("Sunny.", annotations=[URL_CITATION])]
    recorder = Recorder(json_response(response(output)))
    search = {"type": "web_search", "search_context_size": "low", "user_location": {"type": "approximate"}}
    model = make(recorder, use_responses_api=None).bind_tools([search], tool_choice="web_search")
    result = model.invoke("News?")
    body = recorder.bodies[0]
    assert str(recorder.requests[0].url).endswith("/v1/responses")
    assert body["tools"] == [search]
    assert body["tool_choice"] == {"type": "web_search"}
    assert result.content[0] == WEB_SEARCH_ITEM
    assert result.content[1]["annotations"] == [URL_CITATION]
    kinds = [b["type"] for b in result.content_blocks]
    assert kinds == ["server_tool_call", "server_tool_result", "text"]
    assert result.tool_calls == []


def test_output_version_v0_keeps_builtin_items_in_additional_kwargs() -> None:
    output = [reasoning_item("plan"), WEB_SEARCH_ITEM, message_item("Sunny.")]
    recorder = Recorder(json_response(response(output)))
    result = make(recorder, output_version="v0").bind_tools([{"type": "web_search"}]).invoke("News?")
    assert result.content == [{"type": "text", "text": "Sunny.", "annotations": []}]
    assert result.additional_kwargs["tool_outputs"] == [WEB_SEARCH_ITEM]
    assert result.additional_kwargs["reasoning"]["summary"] == [{"type": "summary_text", "text": "plan"}]


def test_builtin_tool_with_responses_turned_off_is_refused() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    model = make(recorder, use_responses_api=False).bind_tools([{"type": "web_search"}])
    with pytest.raises(InvalidConfigError, match=r"built-in tool 'web_search'.*use_responses_api=False"):
        model.invoke("x")
    assert recorder.requests == []


@pytest.mark.parametrize("field", [{"include": ["file_search_call.results"]}, {"truncation": "auto"}])
def test_responses_fields_refused_on_chat_completions(field: dict[str, Any]) -> None:
    recorder = Recorder(json_response(response([message_item()])))
    with pytest.raises(InvalidConfigError, match=rf"{next(iter(field))}.*use_responses_api=False"):
        make(recorder, use_responses_api=False, **field).invoke("x")


def test_stop_sequences_are_refused_on_responses() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    with pytest.raises(InvalidConfigError, match="stop sequences are not part of OpenAI's Responses API"):
        make(recorder).invoke("x", stop=["\n"])
    assert recorder.requests == []


def test_chat_completions_stays_the_default() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    model = make(recorder, use_responses_api=None)
    with pytest.raises(BadResponseError):  # a Responses body is not a chat completion
        model.invoke("x")
    assert str(recorder.requests[0].url).endswith("/v1/chat/completions")


# ---------------------------------------------------------------------------- previous_response_id


def test_use_previous_response_id_sends_only_the_new_turns() -> None:
    recorder = Recorder(
        json_response(response([message_item("first")])),
        json_response(response([message_item("second")], response_id="resp_second")),
    )
    model = make(recorder, use_responses_api=None, use_previous_response_id=True)
    first = model.invoke([SystemMessage("rules"), HumanMessage("one")])
    assert "previous_response_id" not in recorder.bodies[0]
    model.invoke([SystemMessage("rules"), HumanMessage("one"), first, HumanMessage("two")])
    body = recorder.bodies[1]
    assert body["previous_response_id"] == RESPONSE_ID
    assert body["input"] == [{"type": "message", "role": "user", "content": "two"}]


def test_previous_response_id_as_a_call_option_selects_responses() -> None:
    recorder = Recorder(json_response(response([message_item()])))
    make(recorder, use_responses_api=None).invoke("next", previous_response_id=RESPONSE_ID)
    assert str(recorder.requests[0].url).endswith("/v1/responses")
    assert recorder.bodies[0]["previous_response_id"] == RESPONSE_ID


def test_streamed_answer_chains_too() -> None:
    events = EventStream().created().text(0, "Hi").completed([message_item("Hi")])
    recorder = Recorder(sse_response(events.sse()), json_response(response([message_item()])))
    model = make(recorder, use_previous_response_id=True)
    first = merged(list(model.stream("one")))
    assert first.response_metadata["id"] == RESPONSE_ID
    model.invoke([HumanMessage("one"), first, HumanMessage("two")])
    assert recorder.bodies[1]["previous_response_id"] == RESPONSE_ID


# ---------------------------------------------------------------------------- structured output


class Weather(BaseModel):
    city: str
    sunny: bool


def test_with_structured_output_uses_text_format() -> None:
    recorder = Recorder(json_response(response([message_item('{"city": "Paris", "sunny": true}')])))
    structured = make(recorder).with_structured_output(Weather)
    assert structured.invoke("Weather in Paris?") == Weather(city="Paris", sunny=True)
    fmt = recorder.bodies[0]["text"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["name"] == "Weather"
    assert fmt["schema"]["required"] == ["city", "sunny"]


def test_with_structured_output_by_function_calling() -> None:
    item = function_call_item('{"city": "Oslo", "sunny": false}', name="Weather")
    recorder = Recorder(json_response(response([item])))
    structured = make(recorder).with_structured_output(Weather, method="function_calling")
    assert structured.invoke("x") == Weather(city="Oslo", sunny=False)
    assert recorder.bodies[0]["tool_choice"] == {"type": "function", "name": "Weather"}


# ---------------------------------------------------------------------------- streaming


def _check_streamed(chunks: list[AIMessageChunk]) -> None:
    total = merged(chunks)
    assert total.content == [
        {
            "type": "reasoning",
            "id": REASONING_ID,
            "summary": [{"type": "summary_text", "text": "Let me think.", "index": 0}],
            "index": 0,
        },
        {"type": "text", "text": "It is sunny", "annotations": [URL_CITATION], "id": MESSAGE_ID, "index": 1},
        {
            "type": "function_call",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
            "call_id": CALL_ID,
            "id": CALL_ITEM_ID,
            "index": 2,
        },
    ]
    assert total.tool_calls == [{"name": "get_weather", "args": {"city": "Paris"}, "id": CALL_ID, "type": "tool_call"}]
    assert total.usage_metadata == {
        "input_tokens": 36,
        "output_tokens": 87,
        "total_tokens": 123,
        "input_token_details": {"cache_read": 4},
        "output_token_details": {"reasoning": 20},
    }
    assert total.response_metadata["id"] == RESPONSE_ID
    assert total.response_metadata["finish_reason"] == "tool_calls"
    assert total.response_metadata["model_name"] == MODEL
    assert total.response_metadata["model_provider"] == "openai"
    assert total.id == RESPONSE_ID
    assert [b["type"] for b in total.content_blocks] == ["reasoning", "text", "tool_call"]


_OUTPUT = (
    reasoning_item("Let me think."),
    message_item("It is sunny", annotations=[URL_CITATION]),
    function_call_item(),
)


def test_stream_events_become_chunks() -> None:
    recorder = Recorder(sse_response(_stream_of(*_OUTPUT).sse()))
    chunks = list(make(recorder).bind_tools([WEATHER_TOOL]).stream("Weather?"))
    assert recorder.bodies[0]["stream"] is True
    assert "stream_options" not in recorder.bodies[0]
    assert any(c.tool_call_chunks for c in chunks)
    _check_streamed(chunks)


async def test_astream_events_become_chunks() -> None:
    recorder = Recorder(sse_response(_stream_of(*_OUTPUT).sse()))
    chunks = [c async for c in make(recorder).bind_tools([WEATHER_TOOL]).astream("Weather?")]
    _check_streamed(chunks)


def test_streamed_builtin_tool_item_is_kept() -> None:
    events = (
        EventStream().created().web_search(0).text(1, "Sunny.").completed([WEB_SEARCH_ITEM, message_item("Sunny.")])
    )
    recorder = Recorder(sse_response(events.sse()))
    total = merged(list(make(recorder).bind_tools([{"type": "web_search"}]).stream("News?")))
    assert total.content[0] == {**WEB_SEARCH_ITEM, "index": 0}
    assert total.content[1]["text"] == "Sunny."
    assert total.response_metadata["finish_reason"] == "stop"


def test_streamed_incomplete_response_reports_length() -> None:
    events = (
        EventStream()
        .created()
        .text(0, "cut")
        .completed([message_item("cut")], status="incomplete", incomplete_reason="max_output_tokens")
    )
    total = merged(list(make(Recorder(sse_response(events.sse()))).stream("x")))
    assert total.response_metadata["finish_reason"] == "length"
    assert total.response_metadata["status"] == "incomplete"


def test_stream_with_output_version_v1_has_standard_blocks() -> None:
    recorder = Recorder(sse_response(_stream_of(*_OUTPUT).sse()))
    total = merged(list(make(recorder, output_version="v1").bind_tools([WEATHER_TOOL]).stream("x")))
    assert isinstance(total.content, list)
    kinds = [block["type"] for block in total.content if isinstance(block, dict)]
    assert "reasoning" in kinds
    assert "text" in kinds
    assert total.tool_calls[0]["args"] == {"city": "Paris"}


# ---------------------------------------------------------------------------- errors


def test_http_400_is_a_bad_request() -> None:
    body = error_body("Unsupported parameter: 'stop'.", "invalid_request_error", "unsupported_parameter")
    recorder = Recorder(json_response(body, status=400))
    with pytest.raises(BadRequestError, match="Unsupported parameter") as info:
        make(recorder).invoke("x")
    assert info.value.status_code == 400
    assert SECRET not in str(info.value)


async def test_http_429_on_a_stream_is_a_rate_limit() -> None:
    body = error_body("Rate limit reached", "requests", "rate_limit_exceeded")
    recorder = Recorder(json_response(body, status=429, headers={"retry-after": "2"}))
    with pytest.raises(RateLimitError):
        [c async for c in make(recorder).astream("x")]


def test_error_event_is_the_mapped_error() -> None:
    events = EventStream().add("error", code="rate_limit_exceeded", message="Slow down", param=None)
    with pytest.raises(RateLimitError, match="Slow down"):
        list(make(Recorder(sse_response(events.sse()))).stream("x"))


def test_failed_response_is_the_mapped_error() -> None:
    failed = response([], status="failed", usage_=None)
    failed["error"] = {"code": "server_error", "message": "The model crashed."}
    failed["usage"] = None
    events = EventStream().created().add("response.failed", response=failed)
    with pytest.raises(ProviderUnavailableError, match="The model crashed"):
        list(make(Recorder(sse_response(events.sse()))).stream("x"))


def test_failed_response_body_on_invoke_is_the_mapped_error() -> None:
    failed = response([], status="failed", usage_=None)
    failed["error"] = {"code": "invalid_prompt", "message": "Prompt flagged."}
    with pytest.raises(BadRequestError, match="Prompt flagged"):
        make(Recorder(json_response(failed))).invoke("x")


def test_a_cut_stream_is_a_bad_response() -> None:
    events = EventStream().created().text(0, "Hel", "lo")
    events.events = events.events[:-3]  # cut before the text is done and before response.completed
    with pytest.raises(BadResponseError, match="ended before the model finished"):
        list(make(Recorder(sse_response(events.sse()))).stream("x"))


async def test_a_stream_cut_before_anything_is_unavailable() -> None:
    events = EventStream().created()
    with pytest.raises(ProviderUnavailableError, match="before its first chunk"):
        [c async for c in make(Recorder(sse_response(events.sse()))).astream("x")]


# ---------------------------------------------------------------------------- the one-line path


def _provider_file(tmp_path: Path, **model: Any) -> Registry:
    folder = tmp_path / "providers"
    folder.mkdir()
    doc = {
        "id": "acme",
        "engine": "openai",
        "base_url": "https://llm.acme.test/v1",
        "models": [{"id": "acme-1", "pricing": {"input": 2, "output": 8}, **model}],
    }
    (folder / "acme.json").write_text(json.dumps(doc))
    return Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})


def test_provider_file_turns_it_on_and_the_ledger_records_usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{ledger_path}")
    registry = _provider_file(tmp_path, default_params={"use_responses_api": True})
    recorder = Recorder(
        json_response(response([message_item("Hi")], usage_=usage(1000, 500, cached=200, reasoning=100)))
    )
    model = init_chat_model("acme:acme-1", registry=registry, http_client=recorder.client())
    assert isinstance(model, ChatOpenAI)
    assert model.use_responses_api is True
    result = model.invoke("Hello")
    assert str(recorder.requests[0].url) == "https://llm.acme.test/v1/responses"
    assert result.text == "Hi"
    (record,) = SQLiteLedger(ledger_path).records()
    assert (record.provider, record.model) == ("acme", "acme-1")
    assert (record.input_tokens, record.output_tokens, record.cache_read_tokens) == (1000, 500, 200)
    assert record.usage_estimated is False
    assert record.cost_usd is not None
    assert record.cost_usd > 0


async def test_init_chat_model_keyword_turns_it_on_for_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{ledger_path}")
    registry = _provider_file(tmp_path)
    recorder = Recorder(sse_response(_stream_of(message_item("Hello there")).sse()))
    model = init_chat_model(
        "acme:acme-1", registry=registry, use_responses_api=True, http_async_client=recorder.async_client()
    )
    total = merged([c async for c in model.astream("Hello")])
    assert total.text == "Hello there"
    assert str(recorder.requests[0].url) == "https://llm.acme.test/v1/responses"
    (record,) = SQLiteLedger(ledger_path).records()
    assert (record.input_tokens, record.output_tokens, record.cache_read_tokens) == (36, 87, 4)
    assert record.usage_estimated is False


def test_azure_posts_to_its_responses_endpoint() -> None:
    recorder = Recorder(json_response(response([message_item("hi")])))
    model = AzureChatOpenAI(
        model="gpt-4o",
        azure_endpoint="https://res.openai.azure.test",
        azure_deployment="gpt-4o-dep",
        api_version="2025-03-01-preview",
        api_key=SECRET,
        http_client=recorder.client(),
        max_retries=0,
        use_responses_api=True,
    )
    assert model.invoke("x").text == "hi"
    request = recorder.requests[0]
    assert request.url.path == "/openai/responses"
    assert recorder.bodies[0]["model"] == "gpt-4o-dep"  # Azure's Responses API routes by deployment
    assert request.url.params["api-version"] == "2025-03-01-preview"
    assert request.headers["api-key"] == SECRET


def test_include_response_headers_on_invoke_and_the_first_stream_chunk() -> None:
    headers = {"x-request-id": "req_resp_1"}
    recorder = Recorder(json_response(response([message_item()]), headers=headers))
    assert make(recorder, include_response_headers=True).invoke("x").response_metadata["headers"]["x-request-id"] == (
        "req_resp_1"
    )
    streamed = sse_response(_stream_of(message_item("Hi there")).sse())
    streamed.headers["x-request-id"] = "req_resp_2"
    chunks = list(make(Recorder(streamed), include_response_headers=True).stream("x"))
    with_headers = [c for c in chunks if "headers" in c.response_metadata]
    assert len(with_headers) == 1
    assert with_headers[0].response_metadata["headers"]["x-request-id"] == "req_resp_2"
