"""LangChain messages → OpenAI Chat Completions ``messages`` (shared by every OpenAI-shaped engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.utils import convert_to_openai_messages

__all__ = ["messages_to_openai"]

REASONING_KEYS = ("reasoning_content", "reasoning")
# Another vendor's reasoning blocks in a replayed assistant turn: no Chat Completions
# server accepts them (llama.cpp answers 400, OpenAI rejects the part type), and they
# cannot be replayed to another model anyway; langchain-openai drops the same types.
FOREIGN_ASSISTANT_BLOCKS = frozenset({"thinking", "redacted_thinking", "reasoning_content"})


def messages_to_openai(
    messages: Sequence[BaseMessage],
    *,
    send_reasoning: bool = False,
    developer_as_system: bool = False,
    assistant_text_only: bool = False,
) -> list[dict[str, Any]]:
    """OpenAI-format dicts for ``messages``.

    ``send_reasoning`` echoes an assistant turn's ``reasoning_content`` back
    (DeepSeek's thinking-with-tools and some vLLM templates need it);
    ``developer_as_system`` rewrites the ``developer`` role for servers that
    only know ``system``; ``assistant_text_only`` sends an assistant turn's
    content as its text parts alone, for servers whose templates accept nothing
    else there (llama.cpp answers 400 to an Anthropic ``thinking`` block): the
    vendor's reasoning and thinking blocks cannot be replayed to another model,
    and tool calls travel in ``tool_calls``. Another vendor's thinking blocks are
    always left out of an assistant turn (see ``FOREIGN_ASSISTANT_BLOCKS``).
    """
    converted: list[dict[str, Any]] = convert_to_openai_messages(list(messages))
    for original, wire in zip(messages, converted, strict=True):
        if developer_as_system and wire.get("role") == "developer":
            wire["role"] = "system"
        if send_reasoning and isinstance(original, AIMessage):
            for key in REASONING_KEYS:
                value = original.additional_kwargs.get(key)
                if isinstance(value, str) and value:
                    wire["reasoning_content"] = value
                    break
        if wire.get("role") == "assistant" and isinstance(wire.get("content"), list):
            if assistant_text_only:
                wire["content"] = _text_of(wire["content"])
            else:
                wire["content"] = [part for part in wire["content"] if not _is_foreign(part)]
        if wire.get("role") == "assistant" and wire.get("content") == []:
            wire["content"] = ""
        if wire.get("role") == "assistant" and wire.get("tool_calls") and wire.get("content") == "":
            # Several servers reject an empty string next to tool calls; null is the documented form.
            wire["content"] = None
    return converted


def _is_foreign(part: Any) -> bool:
    return isinstance(part, dict) and part.get("type") in FOREIGN_ASSISTANT_BLOCKS


def _text_of(parts: list[Any]) -> str:
    """The text parts of a content list, joined as ``BaseMessage.text`` joins them."""
    return "".join(
        str(part.get("text") or "") for part in parts if isinstance(part, dict) and part.get("type") == "text"
    )
