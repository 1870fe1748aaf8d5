"""Ollama ``/api/chat`` answers and streamed lines (plain dicts) → LangChain messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk, UsageMetadata
from polyport_core.chat import ParsedResponse, StreamState, make_usage

from polyport_ollama._convert import parse_message

__all__ = ["OllamaStreamState", "parse_response", "usage_from_ollama"]


def usage_from_ollama(body: dict[str, Any]) -> UsageMetadata | None:
    """``prompt_eval_count``/``eval_count`` as usage (None when the server reported neither)."""
    if "prompt_eval_count" not in body and "eval_count" not in body:
        return None
    return make_usage(int(body.get("prompt_eval_count") or 0), int(body.get("eval_count") or 0))


def parse_response(body: dict[str, Any]) -> ParsedResponse:
    """A non-streaming ``/api/chat`` body as a ``ParsedResponse``."""
    return ParsedResponse(
        message=parse_message(body.get("message") or {}, chunk=False),
        usage=usage_from_ollama(body),
        finish_reason=body.get("done_reason"),
        model_name=body.get("model"),
    )


@dataclass(kw_only=True)
class OllamaStreamState(StreamState):
    """One ``/api/chat`` stream; ``calls`` counts the tool calls streamed so far (the next one's index)."""

    calls: int = 0

    def parse(self, event: dict[str, Any]) -> AIMessageChunk | None:
        """One NDJSON line as a chunk; the ``done`` line carries the finish reason and usage."""
        chunk = parse_message(event.get("message") or {}, chunk=True, offset=self.calls)
        assert isinstance(chunk, AIMessageChunk)
        self.calls += len(chunk.tool_call_chunks)
        self.model_name = event.get("model") or self.model_name
        if event.get("done"):
            self.finished = True
            chunk.response_metadata = {"finish_reason": event.get("done_reason")}
            chunk.usage_metadata = usage_from_ollama(event)
        elif not chunk.content and not chunk.tool_call_chunks and not chunk.additional_kwargs:
            return None
        return chunk
