"""The values a vendor parser hands the chat lifecycle: a parsed answer and its usage.

They live in ``wire`` (not ``chat``) so format converters can build them without
importing the lifecycle; ``polyport_core.chat`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, UsageMetadata

__all__ = ["ParsedResponse", "make_usage"]


@dataclass
class ParsedResponse:
    """A vendor response turned into LangChain terms by a partner hook."""

    message: AIMessage
    usage: UsageMetadata | None
    finish_reason: str | None
    model_name: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] | None = None


def make_usage(
    input_tokens: int,
    output_tokens: int,
    *,
    cache_read: int | None = None,
    cache_creation: int | None = None,
    reasoning: int | None = None,
) -> UsageMetadata:
    """A ``UsageMetadata`` with token details only where the vendor reported them."""
    usage = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
    )
    input_details: dict[str, int] = {}
    if cache_read:
        input_details["cache_read"] = cache_read
    if cache_creation:
        input_details["cache_creation"] = cache_creation
    if input_details:
        usage["input_token_details"] = input_details  # type: ignore[typeddict-item]
    if reasoning:
        usage["output_token_details"] = {"reasoning": reasoning}
    return usage
