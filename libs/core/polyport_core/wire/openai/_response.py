"""OpenAI Chat Completions response bodies (plain dicts) → ``ParsedResponse``.

Parsing works on the decoded JSON directly instead of the SDK's pydantic
models: the same fields, a fraction of the cost per call.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall, UsageMetadata

from polyport_core.errors import BadResponseError
from polyport_core.wire._parsed import ParsedResponse, make_usage

__all__ = ["parse_chat_completion", "parse_tool_call", "usage_from_openai"]


def usage_from_openai(usage: dict[str, Any] | None) -> UsageMetadata | None:
    """OpenAI ``usage`` (with cached/reasoning details when present) as ``UsageMetadata``."""
    if not usage:
        return None
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return make_usage(
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
        cache_read=prompt_details.get("cached_tokens"),
        reasoning=completion_details.get("reasoning_tokens"),
    )


def parse_tool_call(raw: dict[str, Any]) -> ToolCall | InvalidToolCall:
    """One ``tool_calls[]`` entry; arguments that are not a JSON object become an invalid call."""
    function = raw.get("function") or {}
    arguments = function.get("arguments")
    name = function.get("name")
    call_id = raw.get("id")
    if isinstance(arguments, dict):
        return ToolCall(name=name or "", args=arguments, id=call_id, type="tool_call")
    try:
        args = json.loads(arguments) if arguments else {}
    except (TypeError, ValueError) as exc:
        return InvalidToolCall(
            name=name,
            args=arguments,
            id=call_id,
            error=f"arguments are not JSON: {exc}",
            type="invalid_tool_call",
        )
    if not isinstance(args, dict):
        return InvalidToolCall(
            name=name,
            args=arguments,
            id=call_id,
            error="arguments are not a JSON object",
            type="invalid_tool_call",
        )
    return ToolCall(name=name or "", args=args, id=call_id, type="tool_call")


def reasoning_of(message: dict[str, Any]) -> str | None:
    """``reasoning_content`` (DeepSeek, vLLM, llama.cpp) or ``reasoning`` (OpenRouter, vLLM ≥0.9)."""
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def parse_chat_completion(body: dict[str, Any]) -> ParsedResponse:
    """A decoded ``chat.completion`` body as a ``ParsedResponse``."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        error = body.get("error")
        detail = error.get("message") if isinstance(error, dict) else None
        raise BadResponseError(
            f"Response has no choices{': ' + detail if detail else ''} (keys: {sorted(body)})"
        )
    choice = choices[0]
    message = choice.get("message") or {}
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in message.get("tool_calls") or ():
        parsed = parse_tool_call(raw)
        if parsed.get("type") == "invalid_tool_call":
            invalid.append(parsed)  # type: ignore[arg-type]
        else:
            tool_calls.append(parsed)  # type: ignore[arg-type]
    additional: dict[str, Any] = {}
    reasoning = reasoning_of(message)
    if reasoning:
        additional["reasoning_content"] = reasoning
    if message.get("refusal"):
        additional["refusal"] = message["refusal"]
    ai = AIMessage(
        content=message.get("content") or "",
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        additional_kwargs=additional,
        id=body.get("id"),
    )
    metadata: dict[str, Any] = {}
    if body.get("system_fingerprint"):
        metadata["system_fingerprint"] = body["system_fingerprint"]
    return ParsedResponse(
        message=ai,
        usage=usage_from_openai(body.get("usage")),
        finish_reason=choice.get("finish_reason"),
        model_name=body.get("model"),
        metadata=metadata,
    )
