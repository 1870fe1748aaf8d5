"""Anthropic Messages API responses and SSE events → LangChain messages (lean: plain dicts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, UsageMetadata
from langchain_core.messages.tool import tool_call, tool_call_chunk
from polyport_core.chat import ParsedResponse, StreamState, make_usage

from polyport_anthropic._errors import error_from_event

__all__ = ["AnthropicStreamState", "parse_event", "parse_message", "usage_from"]


def usage_from(usage: dict[str, Any] | None) -> UsageMetadata | None:
    """``UsageMetadata`` with cache read/creation details; input counts include cached tokens."""
    if not usage:
        return None
    cache_read = usage.get("cache_read_input_tokens") or 0
    cache_creation = usage.get("cache_creation_input_tokens") or 0
    total_input = (usage.get("input_tokens") or 0) + cache_read + cache_creation
    return make_usage(
        total_input, usage.get("output_tokens") or 0, cache_read=cache_read, cache_creation=cache_creation
    )


def parse_message(body: dict[str, Any], headers: Any = None) -> ParsedResponse:
    """A non-streaming Messages API response body as a ``ParsedResponse``."""
    texts: list[str] = []
    blocks: list[dict[str, Any]] = []
    calls = []
    plain = True
    for block in body.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
            blocks.append(block)
        elif kind == "tool_use":
            calls.append(tool_call(name=block["name"], args=block.get("input") or {}, id=block["id"]))
        else:  # thinking (with signature), redacted_thinking, server tool blocks
            plain = False
            blocks.append(block)
    content: str | list[str | dict[str, Any]] = "".join(texts) if plain else list(blocks)
    message = AIMessage(content=content, tool_calls=calls, id=body.get("id"))
    metadata = {"stop_reason": body.get("stop_reason"), "stop_sequence": body.get("stop_sequence")}
    return ParsedResponse(
        message=message,
        usage=usage_from(body.get("usage")),
        finish_reason=body.get("stop_reason"),
        model_name=body.get("model"),
        metadata=metadata,
        headers=dict(headers) if headers is not None else None,
    )


def _block_start(event: dict[str, Any]) -> AIMessageChunk | None:
    index = event.get("index", 0)
    block = event.get("content_block") or {}
    kind = block.get("type")
    if kind == "tool_use":
        chunk = tool_call_chunk(name=block.get("name"), args="", id=block.get("id"), index=index)
        return AIMessageChunk(content="", tool_call_chunks=[chunk])
    if kind == "text":
        return AIMessageChunk(content=block["text"]) if block.get("text") else None
    if kind == "thinking":
        return None  # its text and signature arrive as deltas
    return AIMessageChunk(content=[{**block, "index": index}])


def _block_delta(event: dict[str, Any]) -> AIMessageChunk | None:
    delta = event.get("delta") or {}
    kind = delta.get("type")
    if kind == "text_delta":
        return AIMessageChunk(content=delta.get("text", ""))
    index = event.get("index", 0)
    if kind == "input_json_delta":
        chunk = tool_call_chunk(name=None, args=delta.get("partial_json", ""), id=None, index=index)
        return AIMessageChunk(content="", tool_call_chunks=[chunk])
    if kind == "thinking_delta":
        return AIMessageChunk(
            content=[{"type": "thinking", "thinking": delta.get("thinking", ""), "index": index}]
        )
    if kind == "signature_delta":
        return AIMessageChunk(
            content=[
                {"type": "thinking", "thinking": "", "signature": delta.get("signature", ""), "index": index}
            ]
        )
    if kind == "citations_delta":
        return AIMessageChunk(
            content=[{"type": "text", "text": "", "citations": [delta.get("citation")], "index": index}]
        )
    return None


def parse_event(
    event: dict[str, Any], state: AnthropicStreamState, provider: str, model: str
) -> AIMessageChunk | None:
    """One decoded SSE event as a chunk; usage and finish reason come once, on ``message_delta``."""
    kind = event.get("type")
    if kind == "content_block_delta":
        return _block_delta(event)
    if kind == "content_block_start":
        return _block_start(event)
    if kind == "message_start":
        message = event.get("message") or {}
        state.model_name = message.get("model")
        state.usage = dict(message.get("usage") or {})
        state.message_id = message.get("id")
        return None
    if kind == "message_delta":
        usage = state.usage
        for key, value in (event.get("usage") or {}).items():
            if value is not None:
                usage[key] = value
        delta = event.get("delta") or {}
        chunk = AIMessageChunk(
            content="",
            id=state.message_id,
            response_metadata={
                "finish_reason": delta.get("stop_reason"),
                "stop_reason": delta.get("stop_reason"),
                "stop_sequence": delta.get("stop_sequence"),
            },
        )
        chunk.usage_metadata = usage_from(usage)
        state.usage_seen = True
        return chunk
    if kind == "message_stop":
        state.finished = True
        return None
    if kind == "error":
        raise error_from_event(event, provider, model)
    return None  # ping, content_block_stop, unknown future events


@dataclass(kw_only=True)
class AnthropicStreamState(StreamState):
    """One Messages stream: the message id and the usage reported so far (``message_start``
    counts the input, ``message_delta`` adds the output); ``provider``/``model`` name an error event."""

    provider: str = ""
    model: str = ""
    message_id: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)

    def parse(self, event: dict[str, Any]) -> AIMessageChunk | None:
        """One decoded SSE event as a chunk (see ``parse_event``)."""
        return parse_event(event, self, self.provider, self.model)
