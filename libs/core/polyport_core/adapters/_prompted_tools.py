"""Tool calling for servers without a tool API: tools in the prompt, forced calls by grammar.

An adapter whose wire has no ``tools`` field (llama.cpp's native ``/completion``, a
declarative ``http`` engine) sets ``tool_calling = "prompted"``. The bound tools are then
described in a system message, earlier calls and their results are rewritten as plain turns
any chat template can render, and the answer is read back as a call when it is a JSON object
``{"name": ..., "arguments": {...}}`` naming a bound tool. When ``tool_choice`` forces a
call, the request is constrained to that JSON shape with the adapter's JSON-schema field (a
grammar on llama.cpp), so even a small model answers with a valid call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from polyport_core.wire.openai import emulate_forced_tool_call, forced_tool_message

__all__ = ["PromptedTools", "plan_prompted_tools"]

PROMPTED_TOOLS_MARKER = "__polyport_prompted_tools__"


@dataclass(frozen=True)
class PromptedTools:
    """What one request asked of its tools: the names bound, whether a call is forced, the schema."""

    names: tuple[str, ...]
    forced: bool
    schema: dict[str, Any] | None


def _tools_prompt(tools: list[dict[str, Any]]) -> str:
    described = [
        {
            "name": tool["function"]["name"],
            "description": tool["function"].get("description", ""),
            "parameters": tool["function"].get("parameters") or {"type": "object", "properties": {}},
        }
        for tool in tools
    ]
    return (
        "You can call these tools:\n"
        + json.dumps(described, ensure_ascii=False)
        + '\nTo call a tool, answer with only a JSON object {"name": <tool name>, "arguments": {...}} '
        "and nothing else. Otherwise answer normally."
    )


def _call_text(message: AIMessage) -> str:
    calls = [json.dumps({"name": call["name"], "arguments": call["args"]}) for call in message.tool_calls]
    return "\n".join(filter(None, [message.text, *calls]))


def _rewrite(messages: list[BaseMessage], tools: list[dict[str, Any]]) -> list[BaseMessage]:
    """Messages any template renders: tools described up front, calls and results as plain turns."""
    prompt = _tools_prompt(tools)
    names_by_id: dict[str, str] = {}
    out: list[BaseMessage] = []
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            names_by_id.update({str(call["id"]): call["name"] for call in message.tool_calls})
            out.append(AIMessage(content=_call_text(message)))
        elif isinstance(message, ToolMessage):
            name = message.name or names_by_id.get(message.tool_call_id, "the tool")
            out.append(HumanMessage(content=f"Result of {name}: {message.text}"))
        else:
            out.append(message)
    if out and isinstance(out[0], SystemMessage):
        return [SystemMessage(content=f"{out[0].text}\n\n{prompt}"), *out[1:]]
    return [SystemMessage(content=prompt), *out]


def plan_prompted_tools(
    messages: list[BaseMessage], tools: list[dict[str, Any]], tool_choice: Any
) -> tuple[list[BaseMessage], PromptedTools | None]:
    """The rewritten messages and the plan; ``tool_choice="none"`` leaves the tools out entirely."""
    if not tools or tool_choice == "none":
        return messages, None
    probe: dict[str, Any] = {"tools": tools, "tool_choice": tool_choice}
    names = tuple(tool["function"]["name"] for tool in tools)
    forced = emulate_forced_tool_call(probe)
    if forced:
        schema = probe["response_format"]["json_schema"]["schema"]
        return _rewrite(messages, tools), PromptedTools(forced, True, schema)
    return _rewrite(messages, tools), PromptedTools(names, False, None)


def read_answer(
    text: str, plan: PromptedTools, message_id: str | None, finish_reason: str | None
) -> AIMessage | None:
    """The answer as a tool-call message, or None when it is ordinary text (auto mode only)."""
    if plan.forced:
        return forced_tool_message(text, message_id, names=plan.names, finish_reason=finish_reason)
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if not (isinstance(data, dict) and data.get("name") in plan.names and isinstance(data.get("arguments"), dict)):
        return None
    return forced_tool_message(json.dumps(data), message_id, names=plan.names, finish_reason=finish_reason)
