"""Forced tool calls emulated with grammar-constrained JSON output.

Some OpenAI-compatible servers accept ``tool_choice: "required"`` (or a named
tool) but do not enforce it: a small local model then answers in free text
forever. Where the server does enforce ``response_format`` JSON schemas (llama.cpp,
vLLM, SGLang use a grammar), a forced call can be requested as a JSON object
``{"name": ..., "arguments": {...}}`` constrained to the bound tools, and turned
back into a normal tool call. Enabled per provider by the
``forced_tool_calls = "json_schema"`` quirk; the forced tools' names travel on the
``VendorRequest`` (``forced_tools``), not in the body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.utils.json import parse_partial_json

from polyport_core.wire._parsed import ParsedResponse

__all__ = [
    "as_forced_call",
    "buffer_forced_call",
    "emulate_forced_tool_call",
    "forced_finish_reason",
    "forced_tool_chunk",
    "forced_tool_message",
]


def _forced_tools(payload: dict[str, Any]) -> list[dict[str, Any]]:
    choice = payload.get("tool_choice")
    tools: list[dict[str, Any]] = payload.get("tools") or []
    if not tools:
        return []
    if choice == "required":
        return tools
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        return [tool for tool in tools if tool["function"]["name"] == name]
    return []


def emulate_forced_tool_call(payload: dict[str, Any]) -> tuple[str, ...]:
    """Rewrite a forced-tool request as a JSON-schema request; the forced tools' names
    (none when the request forces no tool and is left as it is)."""
    forced = _forced_tools(payload)
    if not forced:
        return ()
    variants = [
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": [tool["function"]["name"]]},
                "arguments": tool["function"].get("parameters") or {"type": "object", "properties": {}},
            },
            "required": ["name", "arguments"],
        }
        for tool in forced
    ]
    schema = variants[0] if len(variants) == 1 else {"anyOf": variants}
    for key in ("tools", "tool_choice", "parallel_tool_calls"):
        payload.pop(key, None)
    payload["response_format"] = {
        "type": "json_schema",
        "json_schema": {"name": "tool_call", "schema": schema},
    }
    return tuple(tool["function"]["name"] for tool in forced)


def _intended_name(text: str, names: Sequence[str]) -> str | None:
    """The tool a cut-off answer was calling: the only forced one, or the name it had written."""
    if len(names) == 1:
        return names[0]
    try:
        partial = parse_partial_json(text)
    except ValueError:
        return None
    name = partial.get("name") if isinstance(partial, dict) else None
    return name if isinstance(name, str) and name in names else None


def forced_tool_message(
    text: str,
    message_id: str | None = None,
    *,
    names: Sequence[str] = (),
    finish_reason: str | None = None,
) -> AIMessage:
    """The JSON answer to an emulated forced call, as an ``AIMessage`` with one tool call.

    ``names`` are the forced tools (an invalid call still names the one it was for);
    ``finish_reason`` is the server's, so a cut-off answer says it was cut off.
    """
    call_id = f"call_{uuid.uuid4().hex[:24]}"
    try:
        data = json.loads(text)
        name = data["name"]
        args = data["arguments"]
        if not isinstance(name, str) or not isinstance(args, dict):
            raise TypeError("name must be a string and arguments an object")
    except (ValueError, KeyError, TypeError) as exc:
        cause = (
            "was cut off by the output token limit (finish_reason 'length')"
            if finish_reason == "length"
            else "was not valid JSON"
        )
        invalid = InvalidToolCall(
            name=_intended_name(text, names),
            args=text,
            id=call_id,
            error=f"forced tool call {cause}: {exc}",
            type="invalid_tool_call",
        )
        return AIMessage(content="", invalid_tool_calls=[invalid], id=message_id)
    call = ToolCall(name=name, args=args, id=call_id, type="tool_call")
    return AIMessage(content="", tool_calls=[call], id=message_id)


def forced_finish_reason(message: AIMessage, server_reason: str | None) -> str | None:
    """``tool_calls`` for a complete emulated call; otherwise what the server said (e.g. ``length``)."""
    if message.tool_calls and server_reason in (None, "stop"):
        return "tool_calls"
    return server_reason


def forced_tool_chunk(
    text: str,
    message_id: str | None,
    *,
    names: Sequence[str],
    finish_reason: str | None,
    usage: UsageMetadata | None,
) -> AIMessageChunk:
    """The buffered JSON of a streamed emulated call, as the stream's one tool-call chunk.

    langchain-core rebuilds an aggregated chunk's calls from ``tool_call_chunks`` with a
    partial-JSON parser, which would turn a cut-off answer into a valid-looking call.
    An invalid call's chunk therefore carries its raw text as a JSON *string* (which no
    parser takes for arguments), so ``chunk + chunk`` keeps it invalid; the chunk's own
    ``invalid_tool_calls`` are exactly ``invoke``'s (raw text, name and error).
    """
    message = forced_tool_message(text, message_id, names=names, finish_reason=finish_reason)
    tool_chunks = [
        ToolCallChunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=0, type="tool_call_chunk")
        for call in message.tool_calls
    ] + [
        ToolCallChunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=0, type="tool_call_chunk")
        for call in message.invalid_tool_calls
    ]
    chunk = AIMessageChunk(
        content="",
        tool_call_chunks=tool_chunks,
        usage_metadata=usage,
        response_metadata={"finish_reason": forced_finish_reason(message, finish_reason)},
        id=message_id,
    )
    if message.invalid_tool_calls:
        chunk.tool_calls = []
        chunk.invalid_tool_calls = list(message.invalid_tool_calls)
    return chunk


def as_forced_call(parsed: ParsedResponse, names: Sequence[str]) -> ParsedResponse:
    """A whole answer to an emulated forced call, its JSON text turned into the call."""
    parsed.message = forced_tool_message(
        str(parsed.message.content), parsed.message.id, names=names, finish_reason=parsed.finish_reason
    )
    parsed.finish_reason = forced_finish_reason(parsed.message, parsed.finish_reason)
    return parsed


def buffer_forced_call(chunk: AIMessageChunk, pieces: list[str], names: Sequence[str]) -> AIMessageChunk | None:
    """A streamed emulated forced call: its JSON text is held in ``pieces`` until the finishing
    chunk, which becomes the call (a usage-only chunk passes through)."""
    if isinstance(chunk.content, str) and chunk.content:
        pieces.append(chunk.content)
    finish = chunk.response_metadata.get("finish_reason")
    if not finish:
        return chunk if chunk.usage_metadata is not None else None
    return forced_tool_chunk("".join(pieces), chunk.id, names=names, finish_reason=finish, usage=chunk.usage_metadata)
