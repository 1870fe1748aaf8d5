"""The ``forced_tool_calls = "json_schema"`` quirk on Anthropic-compatible servers.

llama.cpp's ``llama-server`` accepts ``tool_choice`` and ``output_config`` on ``/v1/messages``
but enforces neither, and that endpoint drops every constraint field its OpenAI-compatible
endpoint honours (``response_format``, ``json_schema``, ``grammar``; see the partner README).
With the quirk on, a request that forces a tool or asks for JSON-schema output is sent to the
same server's ``/v1/chat/completions`` with a grammar-enforced ``response_format`` instead.
The forced call is written and turned back into a tool call by core's OpenAI wire helpers
(the OpenAI engine's quirk of the same name); finish reasons are reported in Anthropic's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage
from polyport_core.chat import ParsedResponse
from polyport_core.wire import VendorRequest
from polyport_core.wire.openai import (
    OpenAIStreamState,
    as_forced_call,
    emulate_forced_tool_call,
    messages_to_openai,
    parse_chat_completion,
)

__all__ = ["COMPLETIONS_PATH", "ConstrainedStreamState", "constrained_request", "parse_constrained"]

COMPLETIONS_PATH = "/v1/chat/completions"
"""The compatible server's OpenAI endpoint, which enforces ``response_format`` with a grammar."""

_STOP_REASONS = {"length": "max_tokens", "stop": "end_turn", "tool_calls": "tool_use"}
"""Chat Completions finish reasons in the Messages API's ``stop_reason`` terms."""

_CARRIED = {"model": "model", "max_tokens": "max_tokens", "temperature": "temperature", "top_p": "top_p",
            "top_k": "top_k", "stop_sequences": "stop"}  # fmt: skip
"""Messages API sampling fields and their Chat Completions names (the rest has no meaning there)."""


def _forces_a_tool(payload: dict[str, Any]) -> bool:
    choice = payload.get("tool_choice") or {}
    return bool(payload.get("tools")) and choice.get("type") in ("any", "tool")


def _output_schema(payload: dict[str, Any]) -> dict[str, Any] | None:
    output_format = (payload.get("output_config") or {}).get("format") or {}
    schema = output_format.get("schema") if output_format.get("type") == "json_schema" else None
    return schema if isinstance(schema, dict) else None


def _openai_tools(payload: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """The Anthropic tools and forced choice in Chat Completions shape."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": tool["name"],
                "description": tool.get("description", ""),
                "parameters": tool.get("input_schema") or {"type": "object", "properties": {}},
            },
        }
        for tool in payload["tools"]
        if "name" in tool and "input_schema" in tool
    ]
    choice = payload["tool_choice"]
    forced: Any = "required" if choice["type"] == "any" else {"type": "function", "function": {"name": choice["name"]}}
    return tools, forced


def constrained_request(messages: list[BaseMessage], payload: dict[str, Any], stream: bool) -> VendorRequest | None:
    """The Messages ``payload`` as a grammar-constrained Chat Completions request, or ``None``
    when it neither forces a tool nor asks for JSON-schema output (it is then sent as it is)."""
    schema = _output_schema(payload)
    forces = _forces_a_tool(payload)
    if schema is None and not forces:
        return None
    body: dict[str, Any] = {"messages": messages_to_openai(messages)}
    for ours, theirs in _CARRIED.items():
        if payload.get(ours) is not None:
            body[theirs] = payload[ours]
    forced: tuple[str, ...] = ()
    if forces:
        body["tools"], body["tool_choice"] = _openai_tools(payload)
        forced = emulate_forced_tool_call(body)
    if not forced and schema is not None:
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return VendorRequest(body, stream=stream, forced_tools=forced, path=COMPLETIONS_PATH)


def _anthropic_reason(reason: str | None) -> str | None:
    return _STOP_REASONS.get(reason, reason) if reason is not None else None


def _in_anthropic_terms(metadata: dict[str, Any]) -> None:
    if metadata.get("finish_reason") is not None:
        metadata["finish_reason"] = metadata["stop_reason"] = _anthropic_reason(metadata["finish_reason"])


def parse_constrained(body: Any, request: VendorRequest) -> ParsedResponse:
    """The whole answer to a constrained request: a forced call turned back into a tool call,
    or the JSON text of a structured answer; finish reason in Anthropic's terms."""
    parsed = parse_chat_completion(body)
    if request.forced_tools:
        parsed = as_forced_call(parsed, request.forced_tools)
    parsed.finish_reason = _anthropic_reason(parsed.finish_reason)
    parsed.metadata = {**parsed.metadata, "stop_reason": parsed.finish_reason, "stop_sequence": None}
    return parsed


@dataclass(kw_only=True)
class ConstrainedStreamState(OpenAIStreamState):
    """A constrained request's Chat Completions stream, finish reason in Anthropic's terms."""

    def parse(self, event: Any) -> AIMessageChunk | None:
        """One decoded chunk (the forced call's JSON is held until the stream finishes)."""
        chunk = super().parse(event)
        if chunk is not None:
            _in_anthropic_terms(chunk.response_metadata)
        return chunk
