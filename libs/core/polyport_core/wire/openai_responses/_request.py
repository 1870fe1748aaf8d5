"""A request body in Chat Completions terms → the same request for ``POST /responses``.

Engines build one body (model, sampling, tools, ``tool_choice``, ``response_format``,
output cap) whatever the endpoint; this turns it into the Responses shape: function
tools flat (``{"type": "function", "name": ...}``, not nested under ``function``),
built-in tools untouched, the output cap as ``max_output_tokens``,
``reasoning_effort`` inside ``reasoning``, structured output and ``verbosity`` under
``text``. Fields the Responses API does not have are passed on as they are (the server
is the judge), except the ones that only make sense for Chat Completions
(``messages``, ``stream_options``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["responses_body", "responses_tool", "responses_tool_choice"]

_CAP_FIELDS = ("max_output_tokens", "max_completion_tokens", "max_tokens")
_CHAT_ONLY = ("messages", "stream_options")


def responses_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A Chat Completions function tool flattened; a built-in tool (or an already flat one) as it is."""
    if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping):
        extra = {k: v for k, v in tool.items() if k not in ("type", "function")}
        return {"type": "function", **tool["function"], **extra}
    return dict(tool)


def responses_tool_choice(choice: Any) -> Any:
    """``{"type": "function", "function": {"name": n}}`` → ``{"type": "function", "name": n}``; others as they are."""
    if isinstance(choice, Mapping) and choice.get("type") == "function" and isinstance(choice.get("function"), Mapping):
        return {"type": "function", **choice["function"]}
    return choice


def _builtin_choice(choice: Any, tools: list[dict[str, Any]]) -> Any:
    """A choice naming a bound built-in tool (``tool_choice="web_search"``) as ``{"type": "web_search"}``."""
    if not (isinstance(choice, Mapping) and choice.get("type") == "function"):
        return choice
    name = choice.get("name")
    functions = {tool.get("name") for tool in tools if tool.get("type") == "function"}
    if name not in functions and any(tool.get("type") == name for tool in tools):
        return {"type": name}
    return choice


def _text_format(response_format: Any) -> dict[str, Any]:
    if not isinstance(response_format, Mapping):
        raise TypeError(
            f"response_format must be a dict on the Responses API (got {type(response_format).__name__}); "
            "use with_structured_output(schema) or pass the JSON schema dict"
        )
    if response_format.get("type") == "json_schema" and isinstance(response_format.get("json_schema"), Mapping):
        return {"type": "json_schema", **response_format["json_schema"]}
    return dict(response_format)  # json_object, text, or already in the Responses form


def responses_body(body: Mapping[str, Any], input_items: list[dict[str, Any]]) -> dict[str, Any]:
    """``body`` (Chat Completions shape, without ``messages``) as a Responses request with ``input_items``."""
    out = {k: v for k, v in body.items() if k not in _CHAT_ONLY and k not in _CAP_FIELDS}
    out["input"] = input_items
    cap = next((body[name] for name in _CAP_FIELDS if body.get(name) is not None), None)
    if cap is not None:
        out["max_output_tokens"] = cap
    effort = out.pop("reasoning_effort", None)
    if effort is not None:
        reasoning = dict(out.get("reasoning") or {})
        reasoning.setdefault("effort", effort)
        out["reasoning"] = reasoning
    if out.get("tools"):
        out["tools"] = [responses_tool(tool) for tool in out["tools"]]
    if "tool_choice" in out:
        out["tool_choice"] = _builtin_choice(responses_tool_choice(out["tool_choice"]), out.get("tools") or [])
    text = dict(out.get("text") or {})
    response_format = out.pop("response_format", None)
    if response_format is not None:
        text["format"] = _text_format(response_format)
    verbosity = out.pop("verbosity", None)
    if verbosity is not None:
        text.setdefault("verbosity", verbosity)
    if text:
        out["text"] = text
    return out
