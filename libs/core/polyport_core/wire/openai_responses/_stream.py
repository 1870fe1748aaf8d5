"""Responses API stream events (decoded SSE ``data``) → ``AIMessageChunk``, and the state of one stream.

Each output item (and each content part of a message item) gets one position in the
message's content list; its chunks carry that position as ``index``, so langchain-core
merges the streamed pieces into the blocks ``invoke`` returns. Function-call arguments
stream as ``tool_call_chunks`` under the same index. ``response.completed`` /
``response.incomplete`` end the stream with the usage, the finish reason and the
response id; ``response.failed`` and ``error`` raise the mapped polyport error.

Events are read by ``item_id`` where the server sends no ``output_index`` /
``content_index`` (llama-server leaves them out).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk

from polyport_core.wire._exchange import StreamState
from polyport_core.wire.openai_responses._errors import responses_error
from polyport_core.wire.openai_responses._output import (
    annotation_from_wire,
    as_v0_content,
    finish_reason_of,
    output_blocks,
    usage_from_responses,
)

__all__ = ["ResponsesStreamState"]

_STARTED = ("response.created", "response.in_progress", "response.queued")
_FINISHED = ("response.completed", "response.incomplete")
_SILENT_ITEMS = frozenset({"message", "function_call", "reasoning"})
"""Items whose content streams in its own events; every other item is shown whole when done."""


def _item_key(event: dict[str, Any]) -> str:
    item = event.get("item")
    item_id = item.get("id") if isinstance(item, dict) else event.get("item_id")
    return str(item_id) if item_id else f"output:{event.get('output_index')}"


def _part_key(event: dict[str, Any]) -> str:
    return f"{_item_key(event)}:{event.get('content_index', 0)}"


@dataclass(kw_only=True)
class ResponsesStreamState(StreamState):
    """The state of one Responses stream.

    ``model_provider`` goes on every chunk (langchain-core picks the block translator
    per chunk for ``output_version="v1"``); ``positions`` maps an item (or a message
    item's content part) to its index in the content list.
    """

    model_provider: str = "openai"
    output_version: str | None = None
    headers_wanted: bool = False
    response_id: str | None = None
    positions: dict[str, int] = field(default_factory=dict)
    called_tools: bool = False
    reasoning_started: bool = False

    # ------------------------------------------------------------------ helpers
    def _position(self, key: str) -> tuple[int, bool]:
        """The content index of ``key``, and whether it is new."""
        index = self.positions.get(key)
        if index is not None:
            return index, False
        index = self.positions[key] = len(self.positions)
        return index, True

    def _chunk(
        self,
        content: list[dict[str, Any]] | None = None,
        tool_call_chunks: list[ToolCallChunk] | None = None,
        **fields: Any,
    ) -> AIMessageChunk:
        chunk = AIMessageChunk(
            content=content or [],
            tool_call_chunks=tool_call_chunks or [],
            id=self.response_id,
            **fields,
        )
        chunk.response_metadata["model_provider"] = self.model_provider
        if self.headers_wanted and self.headers:
            chunk.response_metadata["headers"] = dict(self.headers)
            self.headers_wanted = False
        if self.output_version == "v0":
            self._as_v0(chunk)
        return chunk

    def _as_v0(self, chunk: AIMessageChunk) -> None:
        as_v0_content(chunk)
        reasoning = chunk.additional_kwargs.get("reasoning")
        if isinstance(reasoning, dict):
            if self.reasoning_started:  # merged into the first piece: its type and id only once
                reasoning.pop("type", None)
                reasoning.pop("id", None)
            self.reasoning_started = True

    def _started(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        self.response_id = response.get("id") or self.response_id
        self.model_name = response.get("model") or self.model_name

    # ------------------------------------------------------------------ events
    def parse(self, event: Any) -> AIMessageChunk | None:
        """One decoded event as a chunk, or None for an event with nothing to show."""
        if not isinstance(event, dict):
            return None  # a plain-text sentinel some servers add
        handler = _HANDLERS.get(event.get("type") or "")
        return handler(self, event) if handler is not None else None

    def _item_added(self, event: dict[str, Any]) -> AIMessageChunk | None:
        item = event["item"]
        kind = item.get("type")
        if kind == "function_call":
            self.called_tools = True
            index, _ = self._position(_item_key(event))
            arguments = item.get("arguments") or ""
            block = {
                "type": "function_call",
                "name": item.get("name"),
                "arguments": arguments,
                "call_id": item.get("call_id"),
                "id": item.get("id"),
                "index": index,
            }
            call = ToolCallChunk(
                name=item.get("name"), args=arguments, id=item.get("call_id"), index=index, type="tool_call_chunk"
            )
            return self._chunk([block], [call])
        if kind == "reasoning":
            index, _ = self._position(_item_key(event))
            block = {k: v for k, v in item.items() if k != "encrypted_content"}  # complete only when done
            block["index"] = index
            return self._chunk([block])
        return None

    def _item_done(self, event: dict[str, Any]) -> AIMessageChunk | None:
        item = event["item"]
        kind = item.get("type")
        if kind == "reasoning" and item.get("encrypted_content"):
            index, _ = self._position(_item_key(event))
            return self._chunk([{"type": "reasoning", "encrypted_content": item["encrypted_content"], "index": index}])
        if kind in _SILENT_ITEMS:
            return None
        index, _ = self._position(_item_key(event))
        block = {**item, "index": index}
        if kind == "custom_tool_call":
            self.called_tools = True
            args = json.dumps({"__arg1": item.get("input")})
            call = ToolCallChunk(
                name=item.get("name"), args=args, id=item.get("call_id"), index=index, type="tool_call_chunk"
            )
            return self._chunk([block], [call])
        return self._chunk([block])

    def _text_delta(self, event: dict[str, Any]) -> AIMessageChunk:
        index, new = self._position(_part_key(event))
        block: dict[str, Any] = {"type": "text", "text": event.get("delta") or "", "index": index}
        if new:
            block.update(annotations=[], id=event.get("item_id"))
        return self._chunk([block])

    def _annotation(self, event: dict[str, Any]) -> AIMessageChunk:
        index, new = self._position(_part_key(event))
        block: dict[str, Any] = {
            "type": "text",
            "annotations": [annotation_from_wire(event.get("annotation"))],
            "index": index,
        }
        if new:
            block.update(text="", id=event.get("item_id"))
        return self._chunk([block])

    def _refusal_delta(self, event: dict[str, Any]) -> AIMessageChunk:
        index, new = self._position(_part_key(event))
        block: dict[str, Any] = {"type": "refusal", "refusal": event.get("delta") or "", "index": index}
        if new:
            block["id"] = event.get("item_id")
        return self._chunk([block])

    def _arguments_delta(self, event: dict[str, Any]) -> AIMessageChunk:
        index, _ = self._position(_item_key(event))
        delta = event.get("delta") or ""
        call = ToolCallChunk(name=None, args=delta, id=None, index=index, type="tool_call_chunk")
        return self._chunk([{"type": "function_call", "arguments": delta, "index": index}], [call])

    def _summary(self, event: dict[str, Any], text: str) -> AIMessageChunk:
        index, new = self._position(_item_key(event))
        part = {"index": event.get("summary_index", 0), "type": "summary_text", "text": text}
        block: dict[str, Any] = {"type": "reasoning", "summary": [part], "index": index}
        if new:
            block["id"] = event.get("item_id")
        return self._chunk([block])

    def _summary_part(self, event: dict[str, Any]) -> AIMessageChunk:
        return self._summary(event, "")

    def _summary_delta(self, event: dict[str, Any]) -> AIMessageChunk:
        return self._summary(event, event.get("delta") or "")

    def _reasoning_text_delta(self, event: dict[str, Any]) -> AIMessageChunk:
        """Raw reasoning text (open-weight models on vLLM or llama-server), kept in the item's ``content``
        as ``invoke`` keeps it."""
        index, new = self._position(_item_key(event))
        part = {"index": event.get("content_index", 0), "type": "reasoning_text", "text": event.get("delta") or ""}
        block: dict[str, Any] = {"type": "reasoning", "content": [part], "index": index}
        if new:
            block["id"] = event.get("item_id")
        return self._chunk([block])

    def _finished(self, event: dict[str, Any]) -> AIMessageChunk:
        response = event.get("response") or {}
        self._started(event)
        output = response.get("output") or []
        content: list[dict[str, Any]] = []
        calls: list[ToolCallChunk] = []
        if not self.positions and output:  # a server that streamed no deltas: show the whole output now
            content, tool_calls, invalid = output_blocks(output)
            for position, block in enumerate(content):
                block["index"] = position
            calls = [
                ToolCallChunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i, type="tool_call_chunk")
                for i, c in enumerate(tool_calls)
            ]
            self.called_tools = bool(tool_calls or invalid)
        called = self.called_tools or any(item.get("type") == "function_call" for item in output)
        finish_reason = finish_reason_of(response, called)
        metadata: dict[str, Any] = {"finish_reason": finish_reason, "status": response.get("status")}
        if self.response_id:
            metadata["id"] = self.response_id
        if response.get("incomplete_details"):
            metadata["incomplete_details"] = response["incomplete_details"]
        self.finished = True
        usage = usage_from_responses(response.get("usage"))
        if usage is not None:
            self.usage_seen = True
        chunk = self._chunk(content, calls, usage_metadata=usage)
        chunk.response_metadata.update(metadata)
        return chunk

    def _failed(self, event: dict[str, Any]) -> AIMessageChunk:
        response = event.get("response") or {}
        raise responses_error(response.get("error") or {"message": f"response {response.get('id')} failed"})

    def _error(self, event: dict[str, Any]) -> AIMessageChunk:
        error = event.get("error") if isinstance(event.get("error"), dict) else event
        raise responses_error(error, what="The server reported an error mid-stream")


def _started_handler(state: ResponsesStreamState, event: dict[str, Any]) -> None:
    state._started(event)  # the response id and model, kept for the chunks that follow


_Handler = Callable[[ResponsesStreamState, dict[str, Any]], AIMessageChunk | None]

_HANDLERS: dict[str, _Handler] = {
    **{name: _started_handler for name in _STARTED},
    **{name: ResponsesStreamState._finished for name in _FINISHED},
    "response.failed": ResponsesStreamState._failed,
    "error": ResponsesStreamState._error,
    "response.output_item.added": ResponsesStreamState._item_added,
    "response.output_item.done": ResponsesStreamState._item_done,
    "response.output_text.delta": ResponsesStreamState._text_delta,
    "response.output_text.annotation.added": ResponsesStreamState._annotation,
    "response.refusal.delta": ResponsesStreamState._refusal_delta,
    "response.function_call_arguments.delta": ResponsesStreamState._arguments_delta,
    "response.reasoning_summary_part.added": ResponsesStreamState._summary_part,
    "response.reasoning_summary_text.delta": ResponsesStreamState._summary_delta,
    "response.reasoning_text.delta": ResponsesStreamState._reasoning_text_delta,
}
