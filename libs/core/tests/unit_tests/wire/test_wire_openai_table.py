"""Table-driven tests of the OpenAI Chat Completions wire converters (``polyport_core.wire.openai``).

Inputs and expected outputs follow the OpenAI API reference: "Create chat completion"
(request ``messages``: system/developer/user/assistant/tool roles, ``image_url`` content parts,
assistant ``tool_calls`` with JSON-string ``arguments``), "The chat completion object" (``choices``,
``finish_reason``, ``usage`` with ``prompt_tokens_details.cached_tokens`` and
``completion_tokens_details.reasoning_tokens``) and "The chat completion chunk object" (``delta``
with ``tool_calls[].index``, a final ``choices: []`` chunk carrying ``usage`` when
``stream_options.include_usage`` is set). ``reasoning_content`` is DeepSeek's documented extension
(also sent by vLLM and llama.cpp). No network, no model classes: converters only.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from polyport_core.errors import BadResponseError
from polyport_core.wire.openai import (
    OpenAIStreamState,
    messages_to_openai,
    parse_chat_chunk,
    parse_chat_completion,
    usage_from_openai,
)

CALL = {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_abc123"}
WIRE_CALL = {
    "type": "function",
    "id": "call_abc123",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}

# ---------------------------------------------------------------- request messages

# fmt: off
MESSAGES = [
    pytest.param([SystemMessage("Be brief.")], {}, [{"role": "system", "content": "Be brief."}], id="system"),
    pytest.param(
        [SystemMessage("Be brief.", additional_kwargs={"__openai_role__": "developer"})],
        {},
        [{"role": "developer", "content": "Be brief."}],
        id="developer",
    ),
    pytest.param(
        [SystemMessage("Be brief.", additional_kwargs={"__openai_role__": "developer"})],
        {"developer_as_system": True},
        [{"role": "system", "content": "Be brief."}],
        id="developer-as-system",
    ),
    pytest.param([HumanMessage("hi")], {}, [{"role": "user", "content": "hi"}], id="user-text"),
    pytest.param(
        [HumanMessage([{"type": "text", "text": "What is this?"},
                       {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}])],
        {},
        [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                      {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}],
        id="user-image-url",
    ),
    pytest.param(
        [HumanMessage([{"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"}])],
        {},
        [{"role": "user", "content": [{"type": "image_url",
                                       "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}],
        id="user-standard-image-block-as-data-url",
    ),
    pytest.param(
        [AIMessage("", tool_calls=[CALL])],
        {},
        [{"role": "assistant", "content": None, "tool_calls": [WIRE_CALL]}],
        id="assistant-tool-call-null-content",
    ),
    pytest.param(
        [AIMessage("Let me check.", tool_calls=[CALL])],
        {},
        [{"role": "assistant", "content": "Let me check.", "tool_calls": [WIRE_CALL]}],
        id="assistant-text-and-tool-call",
    ),
    pytest.param(
        [ToolMessage("18°C, sunny", tool_call_id="call_abc123")],
        {},
        [{"role": "tool", "tool_call_id": "call_abc123", "content": "18°C, sunny"}],
        id="tool-result",
    ),
    pytest.param(
        [AIMessage("Sunny.", additional_kwargs={"reasoning_content": "The tool said so."})],
        {},
        [{"role": "assistant", "content": "Sunny."}],
        id="reasoning-not-echoed-by-default",
    ),
    pytest.param(
        [AIMessage("Sunny.", additional_kwargs={"reasoning_content": "The tool said so."})],
        {"send_reasoning": True},
        [{"role": "assistant", "content": "Sunny.", "reasoning_content": "The tool said so."}],
        id="reasoning-echoed-when-asked",
    ),
    pytest.param(  # an Anthropic history (thinking block with its signature) sent to a text-only template
        [AIMessage([{"type": "thinking", "thinking": "A greeting.", "signature": "ErUB"},
                    {"type": "text", "text": "Hello, "}, {"type": "text", "text": "how are you?"}])],
        {"assistant_text_only": True},
        [{"role": "assistant", "content": "Hello, how are you?"}],
        id="assistant-text-only-drops-thinking",
    ),
    pytest.param(
        [AIMessage([{"type": "reasoning", "reasoning": "Look it up."}], tool_calls=[CALL])],
        {"assistant_text_only": True},
        [{"role": "assistant", "content": None, "tool_calls": [WIRE_CALL]}],
        id="assistant-text-only-call-without-text-has-null-content",
    ),
    pytest.param(  # an Anthropic history replayed to any Chat Completions server, as langchain-openai does
        [AIMessage([{"type": "thinking", "thinking": "A greeting.", "signature": "ErUB"},
                    {"type": "redacted_thinking", "data": "EmwK"},
                    {"type": "text", "text": "Hello."}])],
        {},
        [{"role": "assistant", "content": [{"type": "text", "text": "Hello."}]}],
        id="foreign-thinking-blocks-left-out",
    ),
    pytest.param(
        [AIMessage([{"type": "thinking", "thinking": "Call it.", "signature": "ErUB"}], tool_calls=[CALL])],
        {},
        [{"role": "assistant", "content": None, "tool_calls": [WIRE_CALL]}],
        id="only-thinking-beside-a-call-is-null-content",
    ),
]
# fmt: on


@pytest.mark.parametrize(("messages", "options", "expected"), MESSAGES)
def test_messages_to_openai(messages: list[BaseMessage], options: dict[str, bool], expected: list[Any]) -> None:
    assert messages_to_openai(messages, **options) == expected


# ---------------------------------------------------------------- usage

# fmt: off
USAGE = [
    pytest.param(None, None, id="absent"),
    pytest.param(
        {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
        {"input_tokens": 19, "output_tokens": 10, "total_tokens": 29},
        id="plain",
    ),
    pytest.param(
        {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
         "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
         "completion_tokens_details": {"reasoning_tokens": 256, "audio_tokens": 0,
                                       "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        {"input_tokens": 2006, "output_tokens": 300, "total_tokens": 2306,
         "input_token_details": {"cache_read": 1920}, "output_token_details": {"reasoning": 256}},
        id="cached-and-reasoning-details",
    ),
    pytest.param(
        {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6,
         "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}},
        {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
        id="zero-details-left-out",
    ),
]
# fmt: on


@pytest.mark.parametrize(("usage", "expected"), USAGE)
def test_usage_from_openai(usage: dict[str, Any] | None, expected: dict[str, Any] | None) -> None:
    assert usage_from_openai(usage) == expected


# ---------------------------------------------------------------- chat.completion bodies


def completion(
    message: dict[str, Any], finish_reason: str = "stop", usage: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ``chat.completion`` object as the API reference shows it."""
    body: dict[str, Any] = {
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4.1-2025-04-14",
        "system_fingerprint": "fp_c1a2b3",
        "choices": [{"index": 0, "message": {"role": "assistant", "refusal": None, "annotations": [], **message},
                     "logprobs": None, "finish_reason": finish_reason}],
    }  # fmt: skip
    if usage is not None:
        body["usage"] = usage
    return body


TOKENS = {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29}
USAGE_19_10 = {"input_tokens": 19, "output_tokens": 10, "total_tokens": 29}


def summary(message: AIMessage) -> dict[str, Any]:
    return {
        "content": message.content,
        "tool_calls": [(c["name"], c["args"], c["id"]) for c in message.tool_calls],
        "invalid_tool_calls": [(c["name"], c["args"], c["id"]) for c in message.invalid_tool_calls],
        "additional_kwargs": message.additional_kwargs,
    }


# fmt: off
RESPONSES = [
    pytest.param(
        completion({"content": "Hello there, how may I assist you today?"}, usage=TOKENS),
        {"content": "Hello there, how may I assist you today?", "tool_calls": [], "invalid_tool_calls": [],
         "additional_kwargs": {}},
        "stop", USAGE_19_10,
        id="text",
    ),
    pytest.param(
        completion({"content": None, "tool_calls": [{"id": "call_abc123", "type": "function", "function":
                    {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}, "tool_calls", TOKENS),
        {"content": "", "tool_calls": [("get_weather", {"city": "Paris"}, "call_abc123")], "invalid_tool_calls": [],
         "additional_kwargs": {}},
        "tool_calls", USAGE_19_10,
        id="tool-call-null-content",
    ),
    pytest.param(
        completion({"content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
            {"id": "call_2", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}},
        ]}, "tool_calls"),
        {"content": "", "tool_calls": [("get_weather", {"city": "Paris"}, "call_1"),
                                       ("get_weather", {"city": "Rome"}, "call_2")],
         "invalid_tool_calls": [], "additional_kwargs": {}},
        "tool_calls", None,
        id="parallel-tool-calls-no-usage",
    ),
    pytest.param(
        completion({"content": None, "tool_calls": [{"id": "call_1", "type": "function", "function":
                    {"name": "get_weather", "arguments": "{\"city\": \"Par"}}]}, "length"),
        {"content": "", "tool_calls": [], "invalid_tool_calls": [("get_weather", "{\"city\": \"Par", "call_1")],
         "additional_kwargs": {}},
        "length", None,
        id="arguments-cut-off-are-an-invalid-call",
    ),
    pytest.param(
        completion({"content": None, "tool_calls": [{"id": "call_1", "type": "function", "function":
                    {"name": "get_weather", "arguments": "[1, 2]"}}]}, "tool_calls"),
        {"content": "", "tool_calls": [], "invalid_tool_calls": [("get_weather", "[1, 2]", "call_1")],
         "additional_kwargs": {}},
        "tool_calls", None,
        id="arguments-not-an-object-are-an-invalid-call",
    ),
    pytest.param(
        completion({"content": None, "tool_calls": [{"id": "call_1", "type": "function", "function":
                    {"name": "list_cities", "arguments": ""}}]}, "tool_calls"),
        {"content": "", "tool_calls": [("list_cities", {}, "call_1")], "invalid_tool_calls": [],
         "additional_kwargs": {}},
        "tool_calls", None,
        id="empty-arguments-are-no-arguments",
    ),
    pytest.param(
        completion({"content": None, "refusal": "I can't help with that."}),
        {"content": "", "tool_calls": [], "invalid_tool_calls": [],
         "additional_kwargs": {"refusal": "I can't help with that."}},
        "stop", None,
        id="refusal",
    ),
    pytest.param(
        completion({"content": "9.11 < 9.9", "reasoning_content": "Compare the tenths."}),
        {"content": "9.11 < 9.9", "tool_calls": [], "invalid_tool_calls": [],
         "additional_kwargs": {"reasoning_content": "Compare the tenths."}},
        "stop", None,
        id="deepseek-reasoning-content",
    ),
    pytest.param(
        completion({"content": "Hi", "reasoning": "Say hi."}, "stop"),
        {"content": "Hi", "tool_calls": [], "invalid_tool_calls": [],
         "additional_kwargs": {"reasoning_content": "Say hi."}},
        "stop", None,
        id="openrouter-reasoning-field",
    ),
]
# fmt: on


@pytest.mark.parametrize(("body", "message", "finish_reason", "usage"), RESPONSES)
def test_parse_chat_completion(
    body: dict[str, Any], message: dict[str, Any], finish_reason: str, usage: dict[str, Any] | None
) -> None:
    parsed = parse_chat_completion(body)
    assert summary(parsed.message) == message
    assert parsed.message.id == body["id"]
    assert (parsed.finish_reason, parsed.usage) == (finish_reason, usage)
    assert (parsed.model_name, parsed.metadata) == ("gpt-4.1-2025-04-14", {"system_fingerprint": "fp_c1a2b3"})


@pytest.mark.parametrize(
    ("body", "names"),
    [
        pytest.param({"error": {"message": "The model is overloaded", "type": "server_error"}}, "overloaded",
                     id="error-object"),
        pytest.param({"id": "x", "object": "chat.completion", "choices": []}, r"no choices \(keys", id="no-choices"),
    ],
)  # fmt: skip
def test_a_body_without_choices_is_a_bad_response_naming_why(body: dict[str, Any], names: str) -> None:
    with pytest.raises(BadResponseError, match=names):
        parse_chat_completion(body)


# ---------------------------------------------------------------- chat.completion.chunk events


def chunk(delta: dict[str, Any] | None = None, finish_reason: str | None = None, **top: Any) -> dict[str, Any]:
    """A ``chat.completion.chunk`` object; ``delta=None`` with ``usage=`` is the final usage chunk."""
    event: dict[str, Any] = {
        "id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1694268190,
        "model": "gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb",
    }  # fmt: skip
    event["choices"] = (
        [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    )
    event.update(top)
    return event


def call_delta(index: int, arguments: str, call_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    """One ``delta.tool_calls[]`` entry: the first of a call carries id, type and name."""
    entry: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        entry.update(id=call_id, type="function")
        entry["function"]["name"] = name
    return entry


def view(out: AIMessageChunk | None) -> dict[str, Any] | None:
    """What a parsed chunk carries (None: the event carried nothing)."""
    if out is None:
        return None
    shown: dict[str, Any] = {"content": out.content}
    if out.tool_call_chunks:
        shown["tool_call_chunks"] = [(c["index"], c["id"], c["name"], c["args"]) for c in out.tool_call_chunks]
    if out.additional_kwargs:
        shown.update(out.additional_kwargs)
    if out.response_metadata:
        shown.update(out.response_metadata)
    if out.usage_metadata:
        shown["usage"] = dict(out.usage_metadata)
    return shown


CHUNKS = [
    pytest.param(chunk({"role": "assistant", "content": ""}), None, id="role-only-first-chunk"),
    pytest.param(chunk({"content": "Hello"}), {"content": "Hello"}, id="content"),
    pytest.param(chunk({"content": None}), None, id="null-content"),
    pytest.param(chunk({}, "stop"), {"content": "", "finish_reason": "stop"}, id="finish-stop"),
    pytest.param(chunk({}, "length"), {"content": "", "finish_reason": "length"}, id="finish-length"),
    pytest.param(chunk({}, "tool_calls"), {"content": "", "finish_reason": "tool_calls"}, id="finish-tool-calls"),
    pytest.param(
        chunk({"role": "assistant", "content": None, "tool_calls": [call_delta(0, "", "call_abc123", "get_weather")]}),
        {"content": "", "tool_call_chunks": [(0, "call_abc123", "get_weather", None)]},
        id="tool-call-opens",
    ),
    pytest.param(
        chunk({"tool_calls": [call_delta(0, '{"city":')]}),
        {"content": "", "tool_call_chunks": [(0, None, None, '{"city":')]},
        id="tool-call-arguments-delta",
    ),
    pytest.param(
        chunk({"reasoning_content": "Think"}), {"content": "", "reasoning_content": "Think"}, id="reasoning-delta"
    ),
    pytest.param(
        chunk(None, usage={"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}),
        {"content": "", "usage": {"input_tokens": 9, "output_tokens": 12, "total_tokens": 21}},
        id="final-usage-chunk",
    ),
    pytest.param(chunk(None), None, id="empty-choices-no-usage"),
]


@pytest.mark.parametrize(("event", "expected"), CHUNKS)
def test_parse_chat_chunk(event: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert view(parse_chat_chunk(event, OpenAIStreamState())) == expected


# fmt: off
STREAMS = [
    pytest.param(
        [chunk({"role": "assistant", "content": ""}), chunk({"content": "Hel"}), chunk({"content": "lo!"}),
         chunk({}, "stop"), chunk(None, usage={"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11})],
        {"content": "Hello!", "tool_calls": [], "finish_reason": "stop",
         "usage": {"input_tokens": 9, "output_tokens": 2, "total_tokens": 11}},
        (True, True),
        id="text-with-usage",
    ),
    pytest.param(
        [chunk({"role": "assistant", "content": None,
                "tool_calls": [call_delta(0, "", "call_abc123", "get_weather")]}),
         chunk({"tool_calls": [call_delta(0, '{"ci')]}), chunk({"tool_calls": [call_delta(0, 'ty": "Paris"}')]}),
         chunk({}, "tool_calls")],
        {"content": "", "tool_calls": [("get_weather", {"city": "Paris"}, "call_abc123")],
         "finish_reason": "tool_calls", "usage": None},
        (True, False),
        id="one-tool-call-in-pieces",
    ),
    pytest.param(
        [chunk({"tool_calls": [call_delta(0, "", "call_1", "get_weather"), call_delta(1, "", "call_2", "get_time")]}),
         chunk({"tool_calls": [call_delta(1, '{"tz": "CET"}')]}),
         chunk({"tool_calls": [call_delta(0, '{"city": "Rome"}')]}),
         chunk({}, "tool_calls")],
        {"content": "",
         "tool_calls": [("get_weather", {"city": "Rome"}, "call_1"), ("get_time", {"tz": "CET"}, "call_2")],
         "finish_reason": "tool_calls", "usage": None},
        (True, False),
        id="parallel-tool-calls-interleaved",
    ),
    pytest.param(
        [chunk({"tool_calls": [{"index": 0, "id": "call_9", "type": "function",
                                "function": {"name": "Joke", "arguments": '{"setup": "A'}}]}),
         chunk({"tool_calls": [{"index": 0, "id": "call_9", "type": "function",
                                "function": {"name": "Joke", "arguments": '"}'}}]}),
         chunk({}, "tool_calls")],
        {"content": "", "tool_calls": [("Joke", {"setup": "A"}, "call_9")], "finish_reason": "tool_calls",
         "usage": None},
        (True, False),
        id="repeated-id-and-name-are-not-doubled",  # llama-cpp-python's streaming quirk
    ),
]
# fmt: on


@pytest.mark.parametrize(("events", "merged", "finished_and_usage_seen"), STREAMS)
def test_a_parsed_stream_merges_to_the_answer(
    events: list[dict[str, Any]], merged: dict[str, Any], finished_and_usage_seen: tuple[bool, bool]
) -> None:
    state = OpenAIStreamState()
    parsed = [out for event in events if (out := parse_chat_chunk(event, state)) is not None]
    whole = reduce(lambda a, b: a + b, parsed)
    assert {
        "content": whole.content,
        "tool_calls": [(c["name"], c["args"], c["id"]) for c in whole.tool_calls],
        "finish_reason": whole.response_metadata.get("finish_reason"),
        "usage": dict(whole.usage_metadata) if whole.usage_metadata else None,
    } == merged
    assert (state.finished, state.usage_seen) == finished_and_usage_seen
    assert state.model_name == "gpt-4o-mini"


def test_an_error_event_mid_stream_is_a_bad_response_with_the_servers_message() -> None:
    event = {"error": {"message": "upstream timed out", "type": "server_error", "code": None}}
    with pytest.raises(BadResponseError, match="upstream timed out"):
        parse_chat_chunk(event, OpenAIStreamState())
