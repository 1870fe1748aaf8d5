"""OpenAI ``chat.completion.chunk`` events (decoded dicts) → ``AIMessageChunk``, and the state of one such stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk

from polyport_core.errors import BadResponseError
from polyport_core.wire._exchange import StreamState
from polyport_core.wire.openai._forced_tools import buffer_forced_call
from polyport_core.wire.openai._response import reasoning_of, usage_from_openai

__all__ = ["OpenAIStreamState", "parse_chat_chunk"]


def _tool_call_chunks(raw_calls: list[dict[str, Any]], seen: dict[int, tuple[Any, Any]]) -> list[ToolCallChunk]:
    # Some servers (llama-cpp-python) repeat the id and name in every chunk of a
    # call; merging would concatenate them ("JokeJoke"), so repeats are dropped.
    chunks: list[ToolCallChunk] = []
    for position, raw in enumerate(raw_calls):
        index = raw.get("index", position)
        function = raw.get("function") or {}
        call_id = raw.get("id")
        name = function.get("name")
        previous = seen.get(index)
        if previous is None:
            seen[index] = (call_id, name)
        else:
            if call_id is not None and call_id == previous[0]:
                call_id = None
            if name is not None and name == previous[1]:
                name = None
        chunks.append(
            ToolCallChunk(
                name=name or None,
                args=function.get("arguments") or None,
                id=call_id or None,
                index=index,
                type="tool_call_chunk",
            )
        )
    return chunks


def parse_chat_chunk(data: dict[str, Any], state: OpenAIStreamState) -> AIMessageChunk | None:
    """One decoded chunk as an ``AIMessageChunk``, or None when it carries nothing."""
    error = data.get("error")
    if error is not None:
        detail = error.get("message") if isinstance(error, dict) else str(error)
        raise BadResponseError(f"The server reported an error mid-stream: {detail}", body=error)
    if state.model_name is None and data.get("model"):
        state.model_name = data["model"]
    usage = usage_from_openai(data.get("usage"))
    choices = data.get("choices")
    if not choices:
        if usage is None:
            return None
        state.usage_seen = True
        return AIMessageChunk(content="", usage_metadata=usage)
    choice = choices[0]
    delta = choice.get("delta") or {}
    content = delta.get("content") or ""
    raw_calls = delta.get("tool_calls")
    reasoning = reasoning_of(delta)
    finish_reason = choice.get("finish_reason")
    if not (content or raw_calls or reasoning or finish_reason or usage):
        return None
    chunk = AIMessageChunk(
        content=content,
        tool_call_chunks=_tool_call_chunks(raw_calls, state.tool_calls_seen) if raw_calls else [],
        additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
        id=data.get("id"),
    )
    if finish_reason:
        state.finished = True
        chunk.response_metadata = {"finish_reason": finish_reason}
    if usage is not None:
        state.usage_seen = True
        chunk.usage_metadata = usage
    return chunk


@dataclass(kw_only=True)
class OpenAIStreamState(StreamState):
    """The state of one Chat Completions stream.

    ``tool_calls_seen`` keeps each call's id and name by index (some servers repeat them
    in every chunk); ``forced_tools`` are the tools of an emulated forced call, whose JSON
    text waits in ``forced_text`` until the stream finishes; ``headers_wanted``: the first
    chunk carries the response headers in its metadata (``include_response_headers``).
    """

    forced_tools: tuple[str, ...] = ()
    headers_wanted: bool = False
    tool_calls_seen: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    forced_text: list[str] = field(default_factory=list)

    def parse(self, event: Any) -> AIMessageChunk | None:
        """One decoded chunk (the ``[DONE]`` string a plain SSE reader passes on shows nothing)."""
        if isinstance(event, str):
            return None
        chunk = parse_chat_chunk(event, self)
        if chunk is not None and self.headers_wanted and self.headers:
            chunk.response_metadata["headers"] = dict(self.headers)
            self.headers_wanted = False
        if chunk is None or not self.forced_tools:
            return chunk
        return buffer_forced_call(chunk, self.forced_text, self.forced_tools)
