"""A Responses API ``response`` object (decoded JSON) → ``ParsedResponse``.

The message's content is the list of output blocks langchain-openai produces for the
Responses API (its ``responses/v1`` format), so langchain-core's OpenAI translator
derives the standard blocks from it and a later request can send the items back:
text blocks keep their annotations and the message item's id, reasoning items (with
their summaries) and built-in tool call items (``web_search_call``, ``mcp_call``, ...)
are kept as they came, and ``function_call`` items are kept too and also become
``tool_calls`` (arguments that are not a JSON object become ``invalid_tool_calls``).
``output_version="v0"`` moves reasoning, refusals and built-in items into
``additional_kwargs`` instead, as langchain-openai's older format did.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall, UsageMetadata

from polyport_core.errors import BadResponseError
from polyport_core.wire._parsed import ParsedResponse, make_usage
from polyport_core.wire.openai_responses._errors import responses_error

__all__ = [
    "FUNCTION_CALL_IDS",
    "annotation_from_wire",
    "as_v0_content",
    "finish_reason_of",
    "output_blocks",
    "parse_responses_body",
    "response_metadata",
    "tool_call_of",
    "usage_from_responses",
]

FUNCTION_CALL_IDS = "__openai_function_call_ids__"
"""v0 format: ``additional_kwargs`` key mapping a call id to its ``function_call`` item id."""

_METADATA_KEYS = ("id", "status", "created_at", "incomplete_details", "service_tier", "user")
_LENGTH_REASONS = frozenset({"max_output_tokens"})


def usage_from_responses(usage: dict[str, Any] | None) -> UsageMetadata | None:
    """Responses ``usage`` (cached input and reasoning output details when present) as ``UsageMetadata``."""
    if not usage:
        return None
    input_details = usage.get("input_tokens_details") or {}
    output_details = usage.get("output_tokens_details") or {}
    return make_usage(
        int(usage.get("input_tokens") or 0),
        int(usage.get("output_tokens") or 0),
        cache_read=input_details.get("cached_tokens"),
        cache_creation=input_details.get("cache_write_tokens"),
        reasoning=output_details.get("reasoning_tokens"),
    )


def annotation_from_wire(annotation: Any) -> Any:
    """A file citation's ``index`` kept as ``file_index``: LangChain merges streamed blocks by ``index``."""
    if isinstance(annotation, dict) and annotation.get("type") == "file_citation" and "index" in annotation:
        renamed = dict(annotation)
        renamed["file_index"] = renamed.pop("index")
        return renamed
    return annotation


def tool_call_of(item: dict[str, Any]) -> ToolCall | InvalidToolCall:
    """A ``function_call`` item as a tool call; arguments that are not a JSON object make it invalid."""
    name, call_id, arguments = item.get("name"), item.get("call_id"), item.get("arguments")
    try:
        args = json.loads(arguments, strict=False) if arguments else {}
    except (TypeError, ValueError) as exc:
        return InvalidToolCall(
            name=name, args=arguments, id=call_id, error=f"arguments are not JSON: {exc}", type="invalid_tool_call"
        )
    if not isinstance(args, dict):
        return InvalidToolCall(
            name=name, args=arguments, id=call_id, error="arguments are not a JSON object", type="invalid_tool_call"
        )
    return ToolCall(name=name or "", args=args, id=call_id, type="tool_call")


def _message_blocks(item: dict[str, Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    phase = item.get("phase")
    for part in item.get("content") or ():
        kind = part.get("type")
        if kind == "output_text":
            block: dict[str, Any] = {
                "type": "text",
                "text": part.get("text") or "",
                "annotations": [annotation_from_wire(a) for a in part.get("annotations") or ()],
                "id": item.get("id"),
            }
        elif kind == "refusal":
            block = {"type": "refusal", "refusal": part.get("refusal") or "", "id": item.get("id")}
        else:
            continue
        if phase is not None:
            block["phase"] = phase
        blocks.append(block)
    return blocks


def output_blocks(output: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[ToolCall], list[InvalidToolCall]]:
    """Content blocks, tool calls and invalid tool calls of a response's ``output`` items."""
    blocks: list[dict[str, Any]] = []
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for item in output:
        kind = item.get("type")
        if kind == "message":
            blocks.extend(_message_blocks(item))
            continue
        blocks.append(dict(item))  # reasoning, function calls and built-in tool calls, as they came
        if kind == "function_call":
            call = tool_call_of(item)
            if call["type"] == "invalid_tool_call":
                invalid.append(call)
            else:
                calls.append(call)
        elif kind == "custom_tool_call":
            calls.append(
                ToolCall(
                    name=item.get("name") or "",
                    args={"__arg1": item.get("input")},
                    id=item.get("call_id"),
                    type="tool_call",
                )
            )
    return blocks, calls, invalid


def finish_reason_of(body: dict[str, Any], called_tools: bool) -> str | None:
    """Chat Completions' ``finish_reason`` for a response: ``length`` when cut off by
    ``max_output_tokens``, ``tool_calls`` when it ended calling functions, else ``stop``."""
    status = body.get("status")
    if status == "incomplete":
        reason = (body.get("incomplete_details") or {}).get("reason")
        return "length" if reason in _LENGTH_REASONS else (reason or "incomplete")
    if status in ("completed", None):
        return "tool_calls" if called_tools else "stop"
    return str(status)


def response_metadata(body: dict[str, Any]) -> dict[str, Any]:
    """What ``response_metadata`` keeps of a response (its ``id`` chains ``previous_response_id``)."""
    return {key: body[key] for key in _METADATA_KEYS if body.get(key) is not None}


def as_v0_content(message: AIMessage) -> None:
    """``output_version="v0"``: reasoning, refusal and built-in tool items into ``additional_kwargs``,
    function-call items reduced to their ids; text blocks stay in ``content``."""
    if not isinstance(message.content, list):
        return
    content: list[Any] = []
    extra = message.additional_kwargs
    for block in message.content:
        if not isinstance(block, dict):
            content.append(block)
            continue
        kind = block.get("type")
        if kind == "reasoning":
            extra["reasoning"] = {k: v for k, v in block.items() if k != "index"}
        elif kind == "refusal":
            extra["refusal"] = block.get("refusal")
        elif kind == "function_call":
            if block.get("call_id") and block.get("id"):
                extra.setdefault(FUNCTION_CALL_IDS, {})[block["call_id"]] = block["id"]
        elif kind not in (None, "text", "custom_tool_call"):
            extra.setdefault("tool_outputs", []).append(block)
        elif kind == "text":
            content.append({k: v for k, v in block.items() if k != "id"})
        else:
            content.append(block)
    message.content = content


def parse_responses_body(body: dict[str, Any], *, output_version: str | None = None) -> ParsedResponse:
    """A decoded ``response`` object as a ``ParsedResponse``; a failed response raises its mapped error."""
    if body.get("error"):
        raise responses_error(body["error"])
    output = body.get("output")
    if not isinstance(output, list):
        raise BadResponseError(f"Response has no output list (keys: {sorted(body)})")
    blocks, calls, invalid = output_blocks(output)
    message = AIMessage(content=blocks, tool_calls=calls, invalid_tool_calls=invalid, id=body.get("id"))  # type: ignore[arg-type]
    if output_version == "v0":
        as_v0_content(message)
    return ParsedResponse(
        message=message,
        usage=usage_from_responses(body.get("usage")),
        finish_reason=finish_reason_of(body, bool(calls or invalid)),
        model_name=body.get("model"),
        metadata=response_metadata(body),
    )
