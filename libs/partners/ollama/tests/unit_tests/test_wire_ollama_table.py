"""Table-driven tests of the Ollama ``/api/chat`` converters (``polyport_ollama._convert``).

Inputs and expected outputs follow Ollama's API documentation (docs/api.md, "Generate a chat
completion"): request ``messages`` with ``role`` (``system``/``user``/``assistant``/``tool``),
``content``, ``images`` (a list of base64 strings, no data-URL prefix), ``thinking``, assistant
``tool_calls`` as ``{"function": {"name", "arguments": <object>}}`` and a tool result's
``tool_name``; ``tools`` in OpenAI's function format; response and stream ``message`` objects
with ``content``, ``thinking`` and whole ``tool_calls`` (Ollama streams a call in one chunk, its
arguments already an object). No network, no model classes: converters only.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from polyport_ollama._convert import messages_to_ollama, parse_message, tools_to_ollama

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"

# fmt: off
MESSAGES = [
    pytest.param(
        [SystemMessage("Be brief."), HumanMessage("why is the sky blue?")],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "why is the sky blue?"}],
        id="system-and-user",
    ),
    pytest.param(
        [HumanMessage([{"type": "text", "text": "What is in this image?"},
                       {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}])],
        [{"role": "user", "content": "What is in this image?", "images": [PNG]}],
        id="openai-data-url-image-as-bare-base64",
    ),
    pytest.param(
        [HumanMessage([{"type": "image", "base64": PNG, "mime_type": "image/png"}])],
        [{"role": "user", "content": "", "images": [PNG]}],
        id="standard-image-block",
    ),
    pytest.param(
        [HumanMessage(["Describe ", {"type": "text", "text": "this."}])],
        [{"role": "user", "content": "Describe this."}],
        id="text-parts-joined",
    ),
    pytest.param(
        [AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}])],
        [{"role": "assistant", "content": "",
          "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}],
        id="assistant-tool-call-arguments-as-object",
    ),
    pytest.param(
        [ToolMessage("18°C, sunny", tool_call_id="call_1", name="get_weather")],
        [{"role": "tool", "content": "18°C, sunny", "tool_name": "get_weather"}],
        id="tool-result-names-its-tool",
    ),
    pytest.param(
        [ToolMessage("18°C, sunny", tool_call_id="call_1")],
        [{"role": "tool", "content": "18°C, sunny"}],
        id="tool-result-without-name",
    ),
    pytest.param(
        [AIMessage("4", additional_kwargs={"reasoning_content": "2 plus 2."})],
        [{"role": "assistant", "content": "4", "thinking": "2 plus 2."}],
        id="reasoning-echoed-as-thinking",
    ),
]
# fmt: on


@pytest.mark.parametrize(("messages", "expected"), MESSAGES)
def test_messages_to_ollama(messages: list[BaseMessage], expected: list[dict[str, Any]]) -> None:
    assert messages_to_ollama(messages) == expected


WEATHER_FUNCTION = {
    "name": "get_current_weather",
    "description": "Get the current weather for a location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The location to get the weather for"}},
        "required": ["location"],
    },
}

# fmt: off
TOOLS = [
    pytest.param([{"type": "function", "function": WEATHER_FUNCTION}],
                 [{"type": "function", "function": WEATHER_FUNCTION}], id="function-as-is"),
    pytest.param([{"type": "function", "function": {**WEATHER_FUNCTION, "strict": True}}],
                 [{"type": "function", "function": WEATHER_FUNCTION}], id="strict-dropped"),
    pytest.param([{"type": "custom", "name": "x"}], [{"type": "custom", "name": "x"}], id="other-passes-through"),
]
# fmt: on


@pytest.mark.parametrize(("tools", "expected"), TOOLS)
def test_tools_to_ollama(tools: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert tools_to_ollama(tools) == expected


# fmt: off
ANSWERS = [
    pytest.param({"role": "assistant", "content": "The sky is blue because of Rayleigh scattering."},
                 "The sky is blue because of Rayleigh scattering.", [], {}, id="text"),
    pytest.param({"role": "assistant", "content": "4", "thinking": "2 plus 2 is 4."},
                 "4", [], {"reasoning_content": "2 plus 2 is 4."}, id="thinking"),
    pytest.param({"role": "assistant", "content": "", "tool_calls": [
                     {"id": "call_abc", "function": {"index": 0, "name": "get_current_weather",
                                                     "arguments": {"location": "Paris, FR"}}}]},
                 "", [("get_current_weather", {"location": "Paris, FR"}, "call_abc")], {}, id="tool-call-with-id"),
    pytest.param({"role": "assistant", "content": "", "tool_calls": [
                     {"function": {"name": "get_current_weather", "arguments": '{"location": "Rome"}'}}]},
                 "", [("get_current_weather", {"location": "Rome"}, None)], {}, id="json-text-arguments-no-id"),
    pytest.param({"role": "assistant", "content": None}, "", [], {}, id="null-content"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "content", "calls", "extra"), ANSWERS)
def test_parse_message(raw: dict[str, Any], content: str, calls: list[Any], extra: dict[str, Any]) -> None:
    message = parse_message(raw, chunk=False)
    assert type(message) is AIMessage
    assert message.content == content
    assert message.additional_kwargs == extra
    assert [(c["name"], c["args"], c["id"] if c["id"] == "call_abc" else None) for c in message.tool_calls] == calls
    assert all(c["id"] for c in message.tool_calls)  # a call without an id gets one (ToolMessage needs it)


# fmt: off
CHUNKS = [
    pytest.param({"role": "assistant", "content": "The"}, 0, "The", [], id="content-piece"),
    pytest.param({"role": "assistant", "content": "", "thinking": "Hmm"}, 0, "", [], id="thinking-piece"),
    pytest.param({"role": "assistant", "content": "", "tool_calls": [
                     {"id": "call_1", "function": {"name": "get_current_weather", "arguments": {"location": "Paris"}}},
                     {"id": "call_2", "function": {"name": "get_time", "arguments": {}}}]},
                 2, "",
                 [(2, "call_1", "get_current_weather", '{"location": "Paris"}'), (3, "call_2", "get_time", "{}")],
                 id="whole-calls-indexed-after-earlier-ones"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "offset", "content", "chunks"), CHUNKS)
def test_parse_message_as_stream_chunk(raw: dict[str, Any], offset: int, content: str, chunks: list[Any]) -> None:
    chunk = parse_message(raw, chunk=True, offset=offset)
    assert type(chunk) is AIMessageChunk
    assert chunk.content == content
    assert [(c["index"], c["id"], c["name"], c["args"]) for c in chunk.tool_call_chunks] == chunks
    assert chunk.additional_kwargs == ({"reasoning_content": raw["thinking"]} if raw.get("thinking") else {})


def test_streamed_calls_merge_into_the_same_calls_as_a_whole_answer() -> None:
    """Two stream chunks, each with one whole call, merge to two calls (indices keep them apart)."""
    first = parse_message({"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_1", "function": {"name": "get_current_weather", "arguments": {"location": "Paris"}}}]},
        chunk=True, offset=0)  # fmt: skip
    second = parse_message({"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_2", "function": {"name": "get_current_weather", "arguments": {"location": "Rome"}}}]},
        chunk=True, offset=1)  # fmt: skip
    merged = first + second
    assert [(c["name"], c["args"], c["id"]) for c in merged.tool_calls] == [
        ("get_current_weather", {"location": "Paris"}, "call_1"),
        ("get_current_weather", {"location": "Rome"}, "call_2"),
    ]
