"""``ChatRequest``: one chat call in neutral terms, from ``AdapterChatModel`` to an ``HTTPAdapter``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage

__all__ = ["ChatRequest"]


@dataclass
class ChatRequest:
    """One chat call in neutral terms; ``transform_request`` turns it into the vendor body.

    ``tools`` are in OpenAI function-tool format (``format_tools`` output);
    ``params`` holds everything else: ``model_kwargs`` overlaid by call kwargs.
    """

    messages: list[BaseMessage]
    model: str
    stream: bool
    max_tokens: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    params: dict[str, Any] = field(default_factory=dict)

