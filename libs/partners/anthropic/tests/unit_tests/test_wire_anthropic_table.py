"""Table-driven tests of the Anthropic Messages API converters (``_messages``, ``_tools``, ``_response``).

Inputs and expected outputs follow Anthropic's API reference: "Messages" (top-level ``system``
as a string or text blocks with ``cache_control``; ``user``/``assistant`` turns; ``image`` and
``document`` blocks with ``base64``/``url`` sources; ``tool_use`` and ``tool_result`` blocks with
``is_error``; ``thinking`` blocks with their ``signature``), "Tool use" (``tools[]`` as
``{name, description, input_schema}``; ``tool_choice`` ``auto``/``any``/``tool``/``none`` with
``disable_parallel_tool_use``), the Message object (``stop_reason``, ``usage`` with
``cache_creation_input_tokens``/``cache_read_input_tokens``) and "Streaming Messages" (the SSE
event flow ``message_start`` → ``content_block_start``/``_delta``/``_stop`` → ``message_delta`` →
``message_stop``, ``ping`` and ``error`` events). No network, no model classes: converters only.
"""

from __future__ import annotations

import warnings
from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from polyport_anthropic._messages import messages_to_anthropic
from polyport_anthropic._response import AnthropicStreamState, parse_event, parse_message, usage_from
from polyport_anthropic._tools import apply_tools, tool_choice_to_anthropic, tools_to_anthropic
from polyport_core.errors import PolyportError, ProviderUnavailableError, RateLimitError

CALL = {"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_01A09q90qw90lq917835lq9"}
TOOL_USE = {
    "type": "tool_use",
    "id": "toolu_01A09q90qw90lq917835lq9",
    "name": "get_weather",
    "input": {"city": "Paris"},
}

# ---------------------------------------------------------------- request: system + messages

# fmt: off
MESSAGES = [
    pytest.param(
        [SystemMessage("Be brief."), HumanMessage("hi")],
        "Be brief.", [{"role": "user", "content": "hi"}],
        id="system-string-is-top-level",
    ),
    pytest.param(
        [SystemMessage("A"), SystemMessage("B"), HumanMessage("hi")],
        "A\n\nB", [{"role": "user", "content": "hi"}],
        id="several-system-messages-joined",
    ),
    pytest.param(
        [SystemMessage([{"type": "text", "text": "Long manual", "cache_control": {"type": "ephemeral"}}]),
         HumanMessage("hi")],
        [{"type": "text", "text": "Long manual", "cache_control": {"type": "ephemeral"}}],
        [{"role": "user", "content": "hi"}],
        id="system-blocks-keep-cache-control",
    ),
    pytest.param(
        [HumanMessage("a"), HumanMessage("b")],
        None, [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}],
        id="consecutive-user-turns-merged",
    ),
    pytest.param(
        [HumanMessage("Weather in Paris?"), AIMessage("", tool_calls=[CALL]),
         ToolMessage("18°C, sunny", tool_call_id=CALL["id"])],
        None,
        [{"role": "user", "content": "Weather in Paris?"},
         {"role": "assistant", "content": [TOOL_USE]},
         {"role": "user", "content": [{"type": "tool_result", "tool_use_id": CALL["id"], "content": "18°C, sunny"}]}],
        id="tool-use-round-trip",
    ),
    pytest.param(
        [AIMessage("Let me check.", tool_calls=[CALL])],
        None, [{"role": "assistant", "content": [{"type": "text", "text": "Let me check."}, TOOL_USE]}],
        id="assistant-text-then-tool-use",
    ),
    pytest.param(
        [ToolMessage("city not found", tool_call_id=CALL["id"], status="error"), HumanMessage("and now?")],
        None,
        [{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": CALL["id"], "content": "city not found", "is_error": True},
            {"type": "text", "text": "and now?"}]}],
        id="failed-tool-result-is-error-and-merged-with-the-next-user-turn",
    ),
    pytest.param(
        [HumanMessage([{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}])],
        None,
        [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}],
        id="openai-data-url-image-as-base64-source",
    ),
    pytest.param(
        [HumanMessage([{"type": "image", "url": "https://example.com/cat.jpg"}])],
        None,
        [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]}],
        id="standard-image-url-as-url-source",
    ),
    pytest.param(
        [HumanMessage([{"type": "file", "base64": "JVBERi0x", "mime_type": "application/pdf"}])],
        None,
        [{"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}}]}],
        id="standard-pdf-file-as-document",
    ),
    pytest.param(
        [HumanMessage([{"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}])],
        None,
        [{"role": "user", "content": [
            {"type": "document", "source": {"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}]}],
        id="files-api-id-as-file-source",
    ),
    pytest.param(
        [AIMessage([{"type": "thinking", "thinking": "Let me think", "signature": "EqQBCgIYAhIM"},
                    {"type": "text", "text": "42"}])],
        None,
        [{"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Let me think", "signature": "EqQBCgIYAhIM"},
            {"type": "text", "text": "42"}]}],
        id="thinking-block-echoed-with-signature",
    ),
    pytest.param(
        [AIMessage([{"type": "text", "text": "Hi", "index": 0}])],
        None, [{"role": "assistant", "content": [{"type": "text", "text": "Hi"}]}],
        id="stream-index-dropped",
    ),
]
# fmt: on


@pytest.mark.parametrize(("messages", "system", "expected"), MESSAGES)
def test_messages_to_anthropic(messages: list[BaseMessage], system: Any, expected: list[dict[str, Any]]) -> None:
    assert messages_to_anthropic(messages) == (system, expected)


def test_an_unknown_message_role_is_refused_by_name() -> None:
    from langchain_core.messages import FunctionMessage

    with pytest.raises(ValueError, match="'function'"):
        messages_to_anthropic([FunctionMessage("x", name="f")])


# ---------------------------------------------------------------- request: tools and tool_choice

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

# fmt: off
TOOLS = [
    pytest.param(
        [WEATHER],
        [{"name": "get_weather", "description": "Get the current weather in a given location",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        id="function-as-input-schema",
    ),
    pytest.param(
        [{"type": "function", "function": {"name": "now"}}],
        [{"name": "now", "input_schema": {"type": "object", "properties": {}}}],
        id="no-parameters-no-description",
    ),
    pytest.param(
        [{"type": "function", "function": {"name": "now", "parameters": {"type": "object"}, "strict": True}}],
        [{"name": "now", "input_schema": {"type": "object"}, "strict": True}],
        id="strict-kept",
    ),
    pytest.param(
        [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}],
        [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}],
        id="server-tool-passes-through",
    ),
]
# fmt: on


@pytest.mark.parametrize(("tools", "expected"), TOOLS)
def test_tools_to_anthropic(tools: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert tools_to_anthropic(tools) == expected


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        pytest.param(None, None, id="unset"),
        pytest.param("auto", {"type": "auto"}, id="auto"),
        pytest.param("none", {"type": "none"}, id="none"),
        pytest.param("required", {"type": "any"}, id="required-is-any"),
        pytest.param({"name": "get_weather"}, {"type": "tool", "name": "get_weather"}, id="named"),
        pytest.param({"type": "tool", "name": "get_weather"}, {"type": "tool", "name": "get_weather"}, id="native"),
    ],
)
def test_tool_choice_to_anthropic(choice: Any, expected: dict[str, Any] | None) -> None:
    assert tool_choice_to_anthropic(choice) == expected


# fmt: off
APPLIED = [
    pytest.param({"tools": [WEATHER], "tool_choice": "required"}, None,
                 {"type": "any"}, id="forced-any"),
    pytest.param({"tools": [WEATHER], "tool_choice": {"name": "get_weather"}}, False,
                 {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
                 id="named-without-parallel-calls"),
    pytest.param({"tools": [WEATHER]}, False,
                 {"type": "auto", "disable_parallel_tool_use": True}, id="no-choice-but-no-parallel-calls"),
    pytest.param({"tools": [WEATHER], "tool_choice": "none"}, False,
                 {"type": "none"}, id="none-takes-no-parallel-flag"),
    pytest.param({"tools": [WEATHER]}, None, None, id="no-choice-left-out"),
]
# fmt: on


@pytest.mark.parametrize(("payload", "parallel", "expected"), APPLIED)
def test_apply_tools(payload: dict[str, Any], parallel: bool | None, expected: dict[str, Any] | None) -> None:
    apply_tools(payload, parallel)
    assert payload.get("tool_choice") == expected
    assert payload["tools"][0]["input_schema"]["required"] == ["city"]


def test_a_forced_tool_with_extended_thinking_is_relaxed_to_auto_with_a_warning() -> None:
    """The API answers 400 to ``any``/``tool`` while ``thinking`` is enabled."""
    payload = {"tools": [WEATHER], "tool_choice": "required", "thinking": {"type": "enabled", "budget_tokens": 1024}}
    with pytest.warns(UserWarning, match="relaxed to 'auto'"):
        apply_tools(payload, None)
    assert payload["tool_choice"] == {"type": "auto"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        apply_tools(payload, None)  # auto stays legal: no second warning


# ---------------------------------------------------------------- response: Message object

# fmt: off
USAGE = [
    pytest.param(None, None, id="absent"),
    pytest.param({"input_tokens": 12, "output_tokens": 6},
                 {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}, id="plain"),
    pytest.param({"input_tokens": 12, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 100,
                  "output_tokens": 6, "service_tier": "standard"},
                 {"input_tokens": 132, "output_tokens": 6, "total_tokens": 138,
                  "input_token_details": {"cache_read": 100, "cache_creation": 20}},
                 id="cache-tokens-counted-as-input"),
    pytest.param({"input_tokens": 12, "cache_creation_input_tokens": None, "cache_read_input_tokens": 0,
                  "output_tokens": 6},
                 {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}, id="null-and-zero-cache-fields"),
]
# fmt: on


@pytest.mark.parametrize(("usage", "expected"), USAGE)
def test_usage_from(usage: dict[str, Any] | None, expected: dict[str, Any] | None) -> None:
    assert usage_from(usage) == expected


def message(content: list[dict[str, Any]], stop_reason: str = "end_turn") -> dict[str, Any]:
    """A Message object as ``POST /v1/messages`` returns it."""
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 6},
    }


THINKING = {"type": "thinking", "thinking": "2+2 is 4.", "signature": "EqQBCgIYAhIM"}

# fmt: off
RESPONSES = [
    pytest.param(message([{"type": "text", "text": "Hello!"}]), "Hello!", [], "end_turn", id="text"),
    pytest.param(message([{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo!"}]), "Hello!", [],
                 "end_turn", id="text-blocks-joined"),
    pytest.param(message([{"type": "text", "text": "I'll check."}, TOOL_USE], "tool_use"), "I'll check.",
                 [("get_weather", {"city": "Paris"}, CALL["id"])], "tool_use", id="text-and-tool-use"),
    pytest.param(message([THINKING, {"type": "text", "text": "4"}]), [THINKING, {"type": "text", "text": "4"}], [],
                 "end_turn", id="thinking-keeps-blocks"),
    pytest.param(message([{"type": "text", "text": "Hi"}], "max_tokens"), "Hi", [], "max_tokens", id="max-tokens"),
    pytest.param(message([], "refusal"), "", [], "refusal", id="refusal-empty"),
]
# fmt: on


@pytest.mark.parametrize(("body", "content", "calls", "stop"), RESPONSES)
def test_parse_message(body: dict[str, Any], content: Any, calls: list[Any], stop: str) -> None:
    parsed = parse_message(body, {"anthropic-ratelimit-requests-remaining": "49"})
    assert parsed.message.content == content
    assert [(c["name"], c["args"], c["id"]) for c in parsed.message.tool_calls] == calls
    assert parsed.message.id == "msg_01XFDUDYJgAACzvnptvVoYEL"
    assert (parsed.finish_reason, parsed.metadata) == (stop, {"stop_reason": stop, "stop_sequence": None})
    assert (parsed.model_name, parsed.usage) == (
        "claude-sonnet-4-5-20250929",
        {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18},
    )
    assert parsed.headers == {"anthropic-ratelimit-requests-remaining": "49"}


# ---------------------------------------------------------------- response: streaming events

START = {"type": "message_start", "message": {
    "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [],
    "model": "claude-sonnet-4-5-20250929", "stop_reason": None, "stop_sequence": None,
    "usage": {"input_tokens": 25, "cache_read_input_tokens": 0, "output_tokens": 1}}}  # fmt: skip
STOP = {"type": "message_stop"}


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": body}


def message_delta(stop_reason: str, output_tokens: int) -> dict[str, Any]:
    return {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": output_tokens}}  # fmt: skip


def view(out: AIMessageChunk | None) -> dict[str, Any] | None:
    if out is None:
        return None
    shown: dict[str, Any] = {"content": out.content}
    if out.tool_call_chunks:
        shown["tool_call_chunks"] = [(c["index"], c["id"], c["name"], c["args"]) for c in out.tool_call_chunks]
    if out.response_metadata.get("finish_reason"):
        shown["finish_reason"] = out.response_metadata["finish_reason"]
    if out.usage_metadata:
        shown["usage"] = dict(out.usage_metadata)
    return shown


# fmt: off
EVENTS = [
    pytest.param(START, None, id="message-start-only-sets-state"),
    pytest.param({"type": "ping"}, None, id="ping"),
    pytest.param(block_start(0, {"type": "text", "text": ""}), None, id="empty-text-block-start"),
    pytest.param(delta(0, {"type": "text_delta", "text": "Hello"}), {"content": "Hello"}, id="text-delta"),
    pytest.param({"type": "content_block_stop", "index": 0}, None, id="block-stop"),
    pytest.param(block_start(1, {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather",
                                 "input": {}}),
                 {"content": "", "tool_call_chunks": [(1, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", "")]},
                 id="tool-use-opens"),
    pytest.param(delta(1, {"type": "input_json_delta", "partial_json": '{"city": "Par'}),
                 {"content": "", "tool_call_chunks": [(1, None, None, '{"city": "Par')]}, id="input-json-delta"),
    pytest.param(delta(0, {"type": "thinking_delta", "thinking": "Let me"}),
                 {"content": [{"type": "thinking", "thinking": "Let me", "index": 0}]}, id="thinking-delta"),
    pytest.param(delta(0, {"type": "signature_delta", "signature": "EqQB"}),
                 {"content": [{"type": "thinking", "thinking": "", "signature": "EqQB", "index": 0}]},
                 id="signature-delta"),
    pytest.param(block_start(0, {"type": "thinking", "thinking": ""}), None, id="thinking-block-start"),
    pytest.param(block_start(2, {"type": "redacted_thinking", "data": "EmwKAhgB"}),
                 {"content": [{"type": "redacted_thinking", "data": "EmwKAhgB", "index": 2}]},
                 id="redacted-thinking-kept-as-block"),
    pytest.param(message_delta("end_turn", 15),
                 {"content": "", "finish_reason": "end_turn",
                  "usage": {"input_tokens": 25, "output_tokens": 15, "total_tokens": 40}},
                 id="message-delta-carries-stop-reason-and-final-usage"),
    pytest.param(STOP, None, id="message-stop"),
    pytest.param({"type": "some_future_event"}, None, id="unknown-event-ignored"),
]
# fmt: on


@pytest.mark.parametrize(("event", "expected"), EVENTS)
def test_parse_event(event: dict[str, Any], expected: dict[str, Any] | None) -> None:
    state = AnthropicStreamState()
    parse_event(START, state, "anthropic", "claude")  # every stream opens with message_start
    assert view(parse_event(event, state, "anthropic", "claude")) == expected


# fmt: off
STREAMS = [
    pytest.param(
        [START, block_start(0, {"type": "text", "text": ""}), {"type": "ping"},
         delta(0, {"type": "text_delta", "text": "Hello"}), delta(0, {"type": "text_delta", "text": "!"}),
         {"type": "content_block_stop", "index": 0}, message_delta("end_turn", 15), STOP],
        "Hello!", [], "end_turn", {"input_tokens": 25, "output_tokens": 15, "total_tokens": 40},
        id="text",
    ),
    pytest.param(
        [START, block_start(0, {"type": "text", "text": ""}),
         delta(0, {"type": "text_delta", "text": "Checking."}), {"type": "content_block_stop", "index": 0},
         block_start(1, {"type": "tool_use", "id": "toolu_01T1", "name": "get_weather", "input": {}}),
         delta(1, {"type": "input_json_delta", "partial_json": ""}),
         delta(1, {"type": "input_json_delta", "partial_json": '{"city": '}),
         delta(1, {"type": "input_json_delta", "partial_json": '"Paris"}'}),
         {"type": "content_block_stop", "index": 1}, message_delta("tool_use", 89), STOP],
        "Checking.", [("get_weather", {"city": "Paris"}, "toolu_01T1")], "tool_use",
        {"input_tokens": 25, "output_tokens": 89, "total_tokens": 114},
        id="text-then-tool-use",
    ),
    pytest.param(
        [START, block_start(0, {"type": "tool_use", "id": "toolu_A", "name": "get_weather", "input": {}}),
         delta(0, {"type": "input_json_delta", "partial_json": '{"city": "Rome"}'}),
         block_start(1, {"type": "tool_use", "id": "toolu_B", "name": "get_time", "input": {}}),
         delta(1, {"type": "input_json_delta", "partial_json": '{"tz": "CET"}'}),
         message_delta("tool_use", 40), STOP],
        "", [("get_weather", {"city": "Rome"}, "toolu_A"), ("get_time", {"tz": "CET"}, "toolu_B")], "tool_use",
        {"input_tokens": 25, "output_tokens": 40, "total_tokens": 65},
        id="parallel-tool-uses",
    ),
    pytest.param(
        [START, message_delta("max_tokens", 128), STOP],
        "", [], "max_tokens", {"input_tokens": 25, "output_tokens": 128, "total_tokens": 153},
        id="cut-by-max-tokens",
    ),
]
# fmt: on


@pytest.mark.parametrize(("events", "content", "calls", "stop", "usage"), STREAMS)
def test_a_parsed_stream_merges_to_the_answer(
    events: list[dict[str, Any]], content: str, calls: list[Any], stop: str, usage: dict[str, Any]
) -> None:
    state = AnthropicStreamState()
    chunks = [out for event in events if (out := parse_event(event, state, "anthropic", "claude")) is not None]
    whole = reduce(lambda a, b: a + b, chunks)
    assert whole.content == content
    assert [(c["name"], c["args"], c["id"]) for c in whole.tool_calls] == calls
    assert (whole.response_metadata["stop_reason"], whole.usage_metadata) == (stop, usage)
    assert (state.finished, state.usage_seen, state.model_name) == (True, True, "claude-sonnet-4-5-20250929")


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        pytest.param({"type": "overloaded_error", "message": "Overloaded"}, ProviderUnavailableError, id="overloaded"),
        pytest.param({"type": "rate_limit_error", "message": "Slow down"}, RateLimitError, id="rate-limit"),
    ],
)
def test_an_error_event_is_the_mapped_error_naming_provider_and_model(
    error: dict[str, Any], raised: type[PolyportError]
) -> None:
    with pytest.raises(raised, match=error["message"]) as caught:
        parse_event({"type": "error", "error": error}, AnthropicStreamState(), "anthropic", "claude-x")
    assert (caught.value.provider, caught.value.model) == ("anthropic", "claude-x")
