"""When a request needs OpenAI's Responses API, and which turns a stored response already holds.

The triggers follow langchain-openai (so a user switching gets the same endpoint): a
built-in tool (any tool whose ``type`` is not ``function``), a request field only the
Responses API knows, or a model only served there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

__all__ = [
    "RESPONSES_ONLY_FIELDS",
    "is_builtin_tool",
    "model_prefers_responses",
    "needs_responses_api",
    "turns_after_stored_response",
]

RESPONSES_ONLY_FIELDS = frozenset(
    {"context_management", "include", "previous_response_id", "reasoning", "text", "truncation"}
)
"""Request fields Chat Completions does not have: their presence selects the Responses API."""

_RESPONSES_ONLY_MODELS = ("gpt-5-pro", "gpt-5.2-pro", "gpt-5.4-pro", "gpt-5.5-pro", "gpt-5.6-sol")


def is_builtin_tool(tool: Any) -> bool:
    """A tool the server runs itself (``web_search``, ``file_search``, ``mcp``, ...): any type but ``function``."""
    return isinstance(tool, Mapping) and "type" in tool and tool["type"] != "function"


def model_prefers_responses(model: str | None) -> bool:
    """Models OpenAI serves only on the Responses API (the pro models and every codex model)."""
    return bool(model) and (str(model).startswith(_RESPONSES_ONLY_MODELS) or "codex" in str(model))


def needs_responses_api(body: Mapping[str, Any]) -> bool:
    """Whether a request body (Chat Completions shape) asks for something only the Responses API has."""
    if any(is_builtin_tool(tool) for tool in body.get("tools") or ()):
        return True
    return any(body.get(name) is not None for name in RESPONSES_ONLY_FIELDS)


def turns_after_stored_response(messages: Sequence[BaseMessage]) -> tuple[list[BaseMessage], str | None]:
    """The messages after the last AI turn that carries a Responses id (``resp_...``), and that id.

    With ``previous_response_id`` the server already holds everything up to that turn, so only
    what follows is sent. Without such a turn: every message, and ``None``.
    """
    for position in range(len(messages) - 1, -1, -1):
        message = messages[position]
        if isinstance(message, AIMessage):
            response_id = message.response_metadata.get("id")
            if isinstance(response_id, str) and response_id.startswith("resp_"):
                return list(messages[position + 1 :]), response_id
    return list(messages), None
