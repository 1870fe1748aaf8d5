"""Forced tool calls emulated with grammar-constrained JSON output.

Some OpenAI-compatible servers accept ``tool_choice: "required"`` (or a named
tool) but do not enforce it: a small local model then answers in free text
forever. Where the server does enforce ``response_format`` JSON schemas (llama.cpp,
vLLM, SGLang use a grammar), a forced call can be requested as a JSON object
``{"name": ..., "arguments": {...}}`` constrained to the bound tools, and turned
back into a normal tool call. Enabled per provider by the
``forced_tool_calls = "json_schema"`` quirk.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall

__all__ = ["FORCED_TOOL_MARKER", "emulate_forced_tool_call", "forced_tool_message"]

FORCED_TOOL_MARKER = "__polyport_forced_tool__"


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


def emulate_forced_tool_call(payload: dict[str, Any]) -> bool:
    """Rewrite a forced-tool request as a JSON-schema request; True when rewritten."""
    forced = _forced_tools(payload)
    if not forced:
        return False
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
    payload[FORCED_TOOL_MARKER] = True
    return True


def forced_tool_message(text: str, message_id: str | None = None) -> AIMessage:
    """The JSON answer to an emulated forced call, as an ``AIMessage`` with one tool call."""
    call_id = f"call_{uuid.uuid4().hex[:24]}"
    try:
        data = json.loads(text)
        name = data["name"]
        args = data["arguments"]
        if not isinstance(name, str) or not isinstance(args, dict):
            raise TypeError("name must be a string and arguments an object")
    except (ValueError, KeyError, TypeError) as exc:
        invalid = InvalidToolCall(
            name=None,
            args=text,
            id=call_id,
            error=f"forced tool call was not valid JSON: {exc}",
            type="invalid_tool_call",
        )
        return AIMessage(content="", invalid_tool_calls=[invalid], id=message_id)
    call = ToolCall(name=name, args=args, id=call_id, type="tool_call")
    return AIMessage(content="", tool_calls=[call], id=message_id)
