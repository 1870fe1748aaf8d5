"""Bound tools (OpenAI function format) and tool_choice in Anthropic's shape."""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["apply_tools", "tool_choice_to_anthropic", "tools_to_anthropic"]

_EMPTY_SCHEMA = {"type": "object", "properties": {}}


def tools_to_anthropic(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-format tools as Anthropic ``{name, description, input_schema}``; native tools pass through."""
    out: list[dict[str, Any]] = []
    for tool in tools:
        function = tool.get("function") if tool.get("type") == "function" else None
        if function is None:
            out.append(tool)  # already Anthropic-shaped (server tools, custom input_schema)
            continue
        converted: dict[str, Any] = {
            "name": function["name"],
            "input_schema": function.get("parameters") or _EMPTY_SCHEMA,
        }
        if function.get("description"):
            converted["description"] = function["description"]
        if function.get("strict") is not None:
            converted["strict"] = function["strict"]
        out.append(converted)
    return out


def tool_choice_to_anthropic(choice: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """Core's ``auto``/``none``/``required``/``{"name"}`` as Anthropic's tool_choice object."""
    if choice is None:
        return None
    if isinstance(choice, dict):
        if "type" in choice:
            return choice
        return {"type": "tool", "name": choice["name"]}
    if choice == "required":
        return {"type": "any"}
    return {"type": str(choice)}


def apply_tools(payload: dict[str, Any], parallel_tool_calls: bool | None) -> None:
    """Convert ``tools``/``tool_choice`` in place; keep a forced choice legal when thinking is on.

    The API answers 400 to ``tool_choice`` ``any``/``tool`` with extended thinking enabled, so the
    choice is relaxed to ``auto`` (with a warning) instead of failing the call.
    """
    tools = payload.get("tools")
    if tools:
        payload["tools"] = tools_to_anthropic(tools)
    choice = tool_choice_to_anthropic(payload.get("tool_choice"))
    if choice is None and parallel_tool_calls is False and tools:
        choice = {"type": "auto"}
    if choice is None:
        payload.pop("tool_choice", None)
        return
    thinking = payload.get("thinking") or {}
    if thinking.get("type") in ("enabled", "adaptive") and choice["type"] in ("any", "tool"):
        warnings.warn(
            "Anthropic does not allow forcing a tool while extended thinking is on; "
            "tool_choice was relaxed to 'auto' (the model may answer without calling the tool)",
            stacklevel=4,
        )
        choice = {"type": "auto"}
    if parallel_tool_calls is False and choice["type"] != "none":
        choice = {**choice, "disable_parallel_tool_use": True}
    payload["tool_choice"] = choice
