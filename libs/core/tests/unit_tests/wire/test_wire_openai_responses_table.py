"""Table-driven tests of the OpenAI Responses API wire converters (``polyport_core.wire.openai_responses``).

Inputs and expected outputs follow OpenAI's API reference for the Responses API: "Create a
model response" (``input`` items: ``message`` with ``input_text``/``input_image``,
``function_call``, ``function_call_output``, ``reasoning``; flat function tools and built-in
tools; ``text.format``; ``max_output_tokens``), "The response object" (``output`` items,
``status``, ``incomplete_details``, ``usage`` with ``input_tokens_details.cached_tokens`` and
``output_tokens_details.reasoning_tokens``) and "Streaming events" (``response.*`` and
``error``), as typed by the openai Python SDK 3.54. The stream case without
``output_index``/``content_index`` is llama-server's (its ``/v1/responses``). No network,
no model classes: converters only.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from polyport_core.errors import (
    BadRequestError,
    BadResponseError,
    ContextWindowExceededError,
    PolyportError,
    ProviderUnavailableError,
    RateLimitError,
)
from polyport_core.wire.openai_responses import (
    ResponsesStreamState,
    messages_to_responses_input,
    model_prefers_responses,
    needs_responses_api,
    parse_responses_body,
    responses_body,
    responses_error,
    turns_after_stored_response,
)

FUNCTION_TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}

# ---------------------------------------------------------------- which API

# fmt: off
SELECTION = [
    pytest.param({"tools": [FUNCTION_TOOL]}, False, id="function-tools"),
    pytest.param({"tools": [{"type": "web_search"}]}, True, id="builtin-tool"),
    pytest.param({"tools": [FUNCTION_TOOL, {"type": "mcp", "server_label": "x"}]}, True, id="mixed-tools"),
    pytest.param({"previous_response_id": "resp_1"}, True, id="previous-response-id"),
    pytest.param({"include": ["reasoning.encrypted_content"]}, True, id="include"),
    pytest.param({"text": {"verbosity": "low"}}, True, id="text"),
    pytest.param({"truncation": None}, False, id="unset-field"),
    pytest.param({"reasoning_effort": "low"}, False, id="chat-reasoning-effort"),
]
# fmt: on


@pytest.mark.parametrize(("body", "expected"), SELECTION)
def test_needs_responses_api(body: dict[str, Any], expected: bool) -> None:
    assert needs_responses_api(body) is expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [("gpt-5-pro", True), ("gpt-5.2-pro-2025", True), ("gpt-5-codex", True), ("gpt-4.1", False), ("", False)],
)
def test_model_prefers_responses(model: str, expected: bool) -> None:
    assert model_prefers_responses(model) is expected


def test_turns_after_stored_response() -> None:
    stored = AIMessage("a", response_metadata={"id": "resp_1"})
    chat = AIMessage("b", response_metadata={"id": "chatcmpl-2"})
    messages: list[BaseMessage] = [HumanMessage("1"), stored, HumanMessage("2"), chat, HumanMessage("3")]
    after, previous = turns_after_stored_response(messages)
    assert previous == "resp_1"
    assert after == messages[2:]
    assert turns_after_stored_response([HumanMessage("x")]) == ([HumanMessage("x")], None)


# ---------------------------------------------------------------- request body

# fmt: off
BODIES = [
    pytest.param({"model": "m", "max_tokens": 5}, {"model": "m", "input": [], "max_output_tokens": 5}, id="max-tokens"),
    pytest.param({"max_completion_tokens": 6}, {"input": [], "max_output_tokens": 6}, id="max-completion-tokens"),
    pytest.param({"stream": True, "stream_options": {"include_usage": True}}, {"stream": True, "input": []},
                 id="no-stream-options"),
    pytest.param({"reasoning_effort": "low"}, {"input": [], "reasoning": {"effort": "low"}}, id="effort"),
    pytest.param({"reasoning_effort": "low", "reasoning": {"summary": "auto"}},
                 {"input": [], "reasoning": {"summary": "auto", "effort": "low"}}, id="effort-into-reasoning"),
    pytest.param({"tools": [FUNCTION_TOOL], "tool_choice": {"type": "function", "function": {"name": "f"}}},
                 {"input": [], "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
                  "tool_choice": {"type": "function", "name": "f"}}, id="function-tool-flat"),
    pytest.param({"tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}], "tool_choice": "required"},
                 {"input": [], "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}],
                  "tool_choice": "required"}, id="builtin-untouched"),
    pytest.param({"tools": [{"type": "image_generation"}],
                  "tool_choice": {"type": "function", "function": {"name": "image_generation"}}},
                 {"input": [], "tools": [{"type": "image_generation"}], "tool_choice": {"type": "image_generation"}},
                 id="builtin-choice"),
    pytest.param({"response_format": {"type": "json_schema",
                                      "json_schema": {"name": "W", "schema": {"type": "object"}, "strict": True}}},
                 {"input": [], "text": {"format": {"type": "json_schema", "name": "W", "schema": {"type": "object"},
                                                   "strict": True}}}, id="json-schema"),
    pytest.param({"response_format": {"type": "json_object"}, "verbosity": "high"},
                 {"input": [], "text": {"format": {"type": "json_object"}, "verbosity": "high"}}, id="json-mode"),
]
# fmt: on


@pytest.mark.parametrize(("body", "expected"), BODIES)
def test_responses_body(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert responses_body(body, []) == expected


def test_response_format_class_is_refused_with_the_way_out() -> None:
    with pytest.raises(TypeError, match="with_structured_output"):
        responses_body({"response_format": dict}, [])


# ---------------------------------------------------------------- input items

CALL = {"name": "f", "args": {"x": 1}, "id": "call_1", "type": "tool_call"}

# fmt: off
INPUTS = [
    pytest.param([AIMessage("plain answer")], {},
                 [{"type": "message", "role": "assistant",
                   "content": [{"type": "output_text", "text": "plain answer", "annotations": []}]}],
                 id="assistant-text"),
    pytest.param([AIMessage([{"type": "text", "text": "a", "id": "msg_1", "annotations": []},
                             {"type": "text", "text": "b", "id": "msg_1",
                              "annotations": [{"type": "file_citation", "file_id": "f", "file_index": 3}]}])], {},
                 [{"type": "message", "role": "assistant", "id": "msg_1",
                   "content": [{"type": "output_text", "text": "a", "annotations": []},
                               {"type": "output_text", "text": "b",
                                "annotations": [{"type": "file_citation", "file_id": "f", "index": 3}]}]}],
                 id="one-item-per-message-id"),
    pytest.param([AIMessage([{"type": "text", "text": "a", "id": "lc_run-1"}])], {},
                 [{"type": "message", "role": "assistant",
                   "content": [{"type": "output_text", "text": "a", "annotations": []}]}],
                 id="langchain-ids-not-sent"),
    pytest.param([AIMessage("", tool_calls=[CALL])], {},
                 [{"type": "function_call", "call_id": "call_1", "name": "f", "arguments": '{"x": 1}'}],
                 id="tool-calls"),
    pytest.param([AIMessage([{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t",
                                                                               "index": 0}], "index": 0}])], {},
                 [{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}]}],
                 id="reasoning-sent-back"),
    pytest.param([AIMessage([{"type": "reasoning", "id": "rs_2", "summary": [], "index": 0,
                              "content": [{"index": 0, "type": "reasoning_text", "text": "r"}]}])], {},
                 [{"type": "reasoning", "id": "rs_2", "summary": [],
                   "content": [{"type": "reasoning_text", "text": "r"}]}],
                 id="streamed-reasoning-content-back"),
    pytest.param([AIMessage([{"type": "reasoning", "id": "rs_1", "summary": []}])], {"store": False}, [],
                 id="reasoning-unstored-dropped"),
    pytest.param([AIMessage([{"type": "image_generation_call", "id": "ig_1", "result": "b64"}])], {},
                 [{"type": "image_generation_call", "id": "ig_1"}], id="image-generation-reference"),
    pytest.param([AIMessage([{"type": "mcp_call", "id": "mcp_1", "name": "t", "index": 2}])], {},
                 [{"type": "mcp_call", "id": "mcp_1", "name": "t"}], id="builtin-item-back"),
    pytest.param([AIMessage("", additional_kwargs={"reasoning": {"id": "rs_9", "summary": []},
                                                   "tool_outputs": [{"type": "web_search_call", "id": "ws_1"}]})],
                 {}, [{"type": "reasoning", "id": "rs_9", "summary": []}, {"type": "web_search_call", "id": "ws_1"}],
                 id="v0-additional-kwargs"),
    pytest.param([HumanMessage([{"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True}])],
                 {}, [{"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True}],
                 id="mcp-approval-as-its-own-item"),
    pytest.param([HumanMessage([{"type": "text", "text": "ok"},
                                {"type": "mcp_approval_response", "approval_request_id": "mcpr_2", "approve": False}])],
                 {}, [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "ok"}]},
                      {"type": "mcp_approval_response", "approval_request_id": "mcpr_2", "approve": False}],
                 id="text-and-approval"),
    pytest.param([ToolMessage([{"type": "json", "temp": 20}], tool_call_id="call_1")], {},
                 [{"type": "function_call_output", "call_id": "call_1", "output": '[{"type": "json", "temp": 20}]'}],
                 id="tool-output-json"),
    pytest.param([ToolMessage("https://x/shot.png", tool_call_id="cu_1",
                              additional_kwargs={"type": "computer_call_output"})], {},
                 [{"type": "computer_call_output", "call_id": "cu_1",
                   "output": {"type": "input_image", "image_url": "https://x/shot.png"}}], id="computer-call-output"),
]
# fmt: on


@pytest.mark.parametrize(("messages", "options", "expected"), INPUTS)
def test_messages_to_responses_input(
    messages: list[BaseMessage], options: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    assert messages_to_responses_input(messages, **options) == expected


# ---------------------------------------------------------------- response body


def _body(output: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "status": "completed", "model": "m", "output": output, **extra}


# fmt: off
FINISH = [
    pytest.param({}, [], "stop", id="completed"),
    pytest.param({}, [{"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}], "tool_calls",
                 id="called"),
    pytest.param({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}, [], "length",
                 id="cut-off"),
    pytest.param({"status": "incomplete", "incomplete_details": {"reason": "content_filter"}}, [], "content_filter",
                 id="filtered"),
]
# fmt: on


@pytest.mark.parametrize(("extra", "output", "reason"), FINISH)
def test_finish_reason(extra: dict[str, Any], output: list[dict[str, Any]], reason: str) -> None:
    assert parse_responses_body(_body(output, **extra)).finish_reason == reason


def test_parse_keeps_items_and_details() -> None:
    output = [
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "text": "x",
                    "annotations": [{"type": "file_citation", "file_id": "f", "index": 1}],
                },
                {"type": "refusal", "refusal": "no"},
            ],
        },
        {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_c", "name": "grammar", "input": "a b"},
        {"type": "code_interpreter_call", "id": "ci_1", "code": "1+1", "container_id": "c", "outputs": None},
    ]
    usage = {
        "input_tokens": 10,
        "output_tokens": 4,
        "total_tokens": 14,
        "input_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 3},
        "output_tokens_details": {"reasoning_tokens": 1},
    }
    parsed = parse_responses_body(_body(output, usage=usage, service_tier="flex"))
    assert parsed.message.content == [
        {
            "type": "text",
            "text": "x",
            "annotations": [{"type": "file_citation", "file_id": "f", "file_index": 1}],
            "id": "msg_1",
        },
        {"type": "refusal", "refusal": "no", "id": "msg_1"},
        output[1],
        output[2],
    ]
    assert parsed.message.tool_calls == [
        {"name": "grammar", "args": {"__arg1": "a b"}, "id": "call_c", "type": "tool_call"}
    ]
    assert parsed.usage == {
        "input_tokens": 10,
        "output_tokens": 4,
        "total_tokens": 14,
        "input_token_details": {"cache_read": 2, "cache_creation": 3},
        "output_token_details": {"reasoning": 1},
    }
    assert parsed.metadata == {"id": "resp_1", "status": "completed", "service_tier": "flex"}


def test_parse_refuses_a_body_without_output() -> None:
    with pytest.raises(BadResponseError, match="no output list"):
        parse_responses_body({"id": "resp_1", "object": "response"})


# ---------------------------------------------------------------- errors

# fmt: off
ERRORS = [
    pytest.param({"code": "rate_limit_exceeded", "message": "slow"}, RateLimitError, id="rate-limit"),
    pytest.param({"code": "server_error", "message": "boom"}, ProviderUnavailableError, id="server"),
    pytest.param({"code": "context_length_exceeded", "message": "long"}, ContextWindowExceededError, id="context"),
    pytest.param({"code": None, "message": "Your input exceeds the context window"}, ContextWindowExceededError,
                 id="context-by-message"),
    pytest.param({"code": "invalid_image_url", "message": "bad url"}, BadRequestError, id="bad-request"),
]
# fmt: on


@pytest.mark.parametrize(("error", "cls"), ERRORS)
def test_responses_error(error: dict[str, Any], cls: type[PolyportError]) -> None:
    mapped = responses_error(error)
    assert type(mapped) is cls
    assert error["message"] in str(mapped)


# ---------------------------------------------------------------- stream


def _read(events: list[dict[str, Any]], **state: Any) -> tuple[AIMessageChunk, ResponsesStreamState]:
    reader = ResponsesStreamState(**state)
    chunks = [c for c in (reader.parse(event) for event in events) if c is not None]
    return reduce(lambda a, b: a + b, chunks), reader


def test_stream_without_output_index_reads_by_item_id() -> None:
    """llama-server's events: ``item_id`` only, no ``output_index`` / ``content_index``."""
    item = {"type": "message", "id": "msg_a", "role": "assistant", "status": "in_progress", "content": []}
    done = {
        "type": "message",
        "id": "msg_a",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Hi there", "annotations": []}],
    }
    events = [
        {"type": "response.created", "response": {"id": "resp_l", "object": "response", "status": "in_progress"}},
        {"type": "response.output_item.added", "item": item},
        {"type": "response.content_part.added", "item_id": "msg_a", "part": {"type": "output_text", "text": ""}},
        {"type": "response.output_text.delta", "item_id": "msg_a", "delta": "Hi"},
        {"type": "response.output_text.delta", "item_id": "msg_a", "delta": " there"},
        {"type": "response.output_item.done", "item": done},
        {
            "type": "response.completed",
            "response": {
                "id": "resp_l",
                "status": "completed",
                "model": "gemma",
                "output": [done],
                "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7},
            },
        },
    ]
    total, reader = _read(events, model_provider="openai-compatible")
    assert total.content == [{"type": "text", "text": "Hi there", "annotations": [], "id": "msg_a", "index": 0}]
    assert total.usage_metadata == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    assert total.response_metadata == {
        "model_provider": "openai-compatible",
        "finish_reason": "stop",
        "status": "completed",
        "id": "resp_l",
    }
    assert reader.finished
    assert reader.model_name == "gemma"


def test_stream_with_no_deltas_shows_the_completed_output() -> None:
    output = [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": '{"x": 2}'}]
    events = [{"type": "response.completed", "response": {"id": "resp_2", "status": "completed", "output": output}}]
    total, _ = _read(events)
    assert total.tool_calls == [{"name": "f", "args": {"x": 2}, "id": "call_1", "type": "tool_call"}]
    assert total.response_metadata["finish_reason"] == "tool_calls"


def test_stream_v0_keeps_reasoning_in_additional_kwargs() -> None:
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    where = {"item_id": "rs_1", "output_index": 0, "summary_index": 0}
    events = [
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning},
        {"type": "response.reasoning_summary_part.added", **where, "part": {"type": "summary_text", "text": ""}},
        {"type": "response.reasoning_summary_text.delta", **where, "delta": "Think"},
        {"type": "response.reasoning_summary_text.delta", **where, "delta": "ing."},
    ]
    total, _ = _read(events, output_version="v0")
    assert total.content == []
    assert total.additional_kwargs["reasoning"] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"index": 0, "type": "summary_text", "text": "Thinking."}],
    }


@pytest.mark.parametrize(
    ("event", "cls"),
    [
        ({"type": "error", "code": "server_error", "message": "down", "param": None}, ProviderUnavailableError),
        ({"type": "error", "error": {"code": "rate_limit_exceeded", "message": "slow"}}, RateLimitError),
        (
            {
                "type": "response.failed",
                "response": {"id": "r", "status": "failed", "error": {"code": "invalid_prompt", "message": "no"}},
            },
            BadRequestError,
        ),
    ],
)
def test_stream_errors(event: dict[str, Any], cls: type[PolyportError]) -> None:
    with pytest.raises(cls):
        ResponsesStreamState().parse(event)


def test_events_without_content_show_nothing() -> None:
    reader = ResponsesStreamState()
    for event in (
        {"type": "response.in_progress", "response": {"id": "resp_3"}},
        {"type": "response.web_search_call.searching", "item_id": "ws", "output_index": 0},
        {"type": "response.output_text.done", "item_id": "m", "output_index": 0, "content_index": 0, "text": "x"},
        "[DONE]",
    ):
        assert reader.parse(event) is None
    assert reader.response_id == "resp_3"


def test_stream_raw_reasoning_text_is_kept_like_invoke() -> None:
    """``response.reasoning_text.delta``: reasoning content of open-weight models (gpt-oss on vLLM)."""
    item = {"type": "reasoning", "id": "rs_2", "summary": [], "content": []}
    where = {"item_id": "rs_2", "output_index": 0, "content_index": 0}
    events = [
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.reasoning_text.delta", **where, "delta": "Two plus "},
        {"type": "response.reasoning_text.delta", **where, "delta": "two."},
    ]
    total, _ = _read(events)
    assert total.content == [
        {
            "type": "reasoning",
            "id": "rs_2",
            "summary": [],
            "content": [{"index": 0, "type": "reasoning_text", "text": "Two plus two."}],
            "index": 0,
        }
    ]
