"""Tool binding shared by every partner: tools are kept in OpenAI's function format.

Partners translate that one format into their vendor's shape when they build a
request, so ``bind_tools`` and ``tool_choice`` handling live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

ToolLike = dict[str, Any] | type[BaseModel] | Callable[..., Any] | BaseTool

_CHOICE_ALIASES = {"any": "required", True: "required", False: "none"}


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Every tool as an OpenAI ``{"type": "function", "function": {...}}`` dict."""
    return [convert_to_openai_tool(tool, strict=strict) for tool in tools]


def tool_name(tool: dict[str, Any]) -> str | None:
    """The function name of an OpenAI-format tool."""
    function = tool.get("function")
    if isinstance(function, dict):
        name = function.get("name")
        return str(name) if name else None
    name = tool.get("name")
    return str(name) if name else None


def normalize_tool_choice(tool_choice: Any, formatted: list[dict[str, Any]]) -> str | dict[str, Any] | None:
    """One vocabulary for tool_choice: ``auto``/``none``/``required`` or ``{"name": ...}``.

    Accepts OpenAI's spellings, Anthropic's ``any``, a bare tool name and ``True``
    (force the only tool, or any tool when there are several).
    """
    if tool_choice is None:
        return None
    if tool_choice is True and len(formatted) == 1:
        return {"name": tool_name(formatted[0])}
    if isinstance(tool_choice, bool) or tool_choice in _CHOICE_ALIASES:
        return _CHOICE_ALIASES[tool_choice]
    if isinstance(tool_choice, str):
        if tool_choice in ("auto", "none", "required"):
            return tool_choice
        return {"name": tool_choice}
    if isinstance(tool_choice, dict):
        if "function" in tool_choice:
            return {"name": tool_choice["function"]["name"]}
        if "name" in tool_choice:
            return {"name": tool_choice["name"]}
    raise ValueError(f"Unrecognized tool_choice {tool_choice!r}")
