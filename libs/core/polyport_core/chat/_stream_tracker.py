"""Bookkeeping of one stream: reading events, usage (reported or estimated), completeness,
the output guard, time to first token, and the one rule for a stream that breaks."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessageChunk, UsageMetadata
from langchain_core.outputs import ChatGenerationChunk

from polyport_core.chat._stream_guard import StreamGuard
from polyport_core.errors import (
    BadResponseError,
    PolyportError,
    ProviderUnavailableError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from polyport_core.governance import CallInfo, CallOutcome
from polyport_core.tokens import count_text_tokens
from polyport_core.wire import StreamState, make_usage

if TYPE_CHECKING:
    from polyport_core.chat._model import ProviderChatModel

__all__ = ["SHAPE_ERRORS", "StreamTracker"]

SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)
"""What a parser raises on a body of the wrong shape (a ``PolyportError`` passes through)."""


def _text_of(blocks: list[Any]) -> str:
    """The text a list of content blocks carries (text, refusals, reasoning summaries), not their markup:
    what usage estimates and the output guard count."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            for key in ("text", "refusal", "reasoning"):
                value = block.get(key)
                if isinstance(value, str):
                    parts.append(value)
            for part in (*(block.get("summary") or ()), *(block.get("content") or ())):
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
    return "".join(parts)


class StreamTracker:
    """One stream's engine state, usage, completeness, size guard and time to first token."""

    __slots__ = ("call", "chunks", "first_token_at", "guard", "model", "pieces", "state", "usage")

    def __init__(self, model: ProviderChatModel, call: CallInfo, state: StreamState) -> None:
        self.model = model
        self.call = call
        self.state = state
        self.pieces: list[str] = []
        self.usage: Any = None
        self.first_token_at: float | None = None
        self.chunks = 0
        self.guard = StreamGuard(call.max_output_tokens, provider=model.provider, model=model.model_name)

    def read(self, event: Any) -> ChatGenerationChunk | None:
        """One raw event: counted by the guard, parsed by the engine's state, observed (None: nothing to show).

        An event of the wrong shape is a ``BadResponseError``.
        """
        self.guard.event()
        try:
            chunk = self.state.parse(event)
        except SHAPE_ERRORS as error:
            if isinstance(error, PolyportError):
                raise
            raise self.model._unreadable(error) from error
        return None if chunk is None else self.observe(chunk)

    def observe(self, chunk: AIMessageChunk) -> ChatGenerationChunk:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.chunks += 1
        if chunk.usage_metadata is not None:
            self.usage = chunk.usage_metadata
        content = chunk.content
        if content:
            piece = content if isinstance(content, str) else _text_of(content)
            self.pieces.append(piece)
            self.guard.output(len(piece))
        for tool_chunk in chunk.tool_call_chunks:
            args = tool_chunk.get("args")
            if args:
                self.pieces.append(args)
                self.guard.output(len(args))
        return ChatGenerationChunk(message=chunk)

    def check_complete(self) -> None:
        if self.state.finished:
            return
        where: dict[str, Any] = {"provider": self.model.provider, "model": self.model.model_name}
        if not self.chunks:  # nothing reached the caller: an ordinary, retryable failure
            raise ProviderUnavailableError("The stream ended before its first chunk (the server closed it)", **where)
        raise BadResponseError("The stream ended before the model finished its response", **where)

    def failure(self, error: Exception) -> tuple[BaseException, BaseException]:
        """What a stream that failed with ``error`` raises, and from what.

        The engine's mapping of ``error`` (with this model's provider and name), then the
        one rule for broken streams; a rewrapped error keeps the mapped one as its cause.
        """
        named = self.model._named_error(error)
        mapped = self.broken(named)
        if mapped is named:
            return mapped, error
        named.__cause__ = named.__cause__ or (error if named is not error else None)
        return mapped, named

    def broken(self, error: BaseException) -> BaseException:
        """The one rule for broken streams: after the first chunk, ``StreamInterruptedError``.

        Before it, the error stays what it is (a drop is ``ProviderUnavailableError``,
        retried and fallen back like a cut non-stream body). Size-guard errors and
        errors that are not provider errors are never rewrapped.
        """
        if not self.chunks or not isinstance(error, PolyportError):
            return error
        if isinstance(error, StreamInterruptedError | ResponseTooLargeError):
            return error
        interrupted = StreamInterruptedError(
            f"The stream broke after {self.chunks} chunk(s) reached the caller, so it cannot be retried "
            f"({error.kind}: {error.detail})",
            provider=error.provider or self.model.provider,
            model=error.model or self.model.model_name,
            status_code=error.status_code,
        )
        interrupted.__cause__ = error
        return interrupted

    def _estimate(self, input_tokens: int | None = None) -> UsageMetadata:
        """Usage estimated offline: the prompt (counted once per call, shared with the governance
        hooks) and what was streamed so far."""
        prompt = self.call.estimated_input_tokens if input_tokens is None else input_tokens
        return make_usage(prompt, count_text_tokens("".join(self.pieces), self.model.model_name))

    def _usage(self) -> tuple[Any, bool]:
        """Reported usage, else an estimate from the prompt and what was streamed (and whether estimated)."""
        if self.usage is not None:
            return self.usage, False
        return self._estimate(), True

    def partial(self) -> CallOutcome:
        """What a stream that broke or was closed delivered: billed like any output, marked estimated.

        A usage report seen mid-stream (Anthropic sends one at the start) keeps its input count,
        and its output count when that exceeds the estimate of what was streamed.
        """
        outcome = self._timing()
        if not self.chunks:
            return outcome  # nothing came back: nothing is billed
        estimate = self._estimate(self.usage["input_tokens"] if self.usage is not None else None)
        if self.usage is not None and self.usage["output_tokens"] >= estimate["output_tokens"]:
            outcome.usage = self.usage
        else:
            outcome.usage, outcome.usage_estimated = estimate, True
        return outcome

    def _timing(self) -> CallOutcome:
        return CallOutcome(
            latency_s=time.perf_counter() - self.call.started_at,
            time_to_first_token_s=None
            if self.first_token_at is None
            else self.first_token_at - self.call.started_at,
            response_headers=self.state.headers,
        )

    def outcome(self) -> CallOutcome:
        outcome = self._timing()
        if self.usage is not None or self.model.stream_usage:
            outcome.usage, outcome.usage_estimated = self._usage()
        return outcome

    def final_chunk(self, outcome: CallOutcome) -> ChatGenerationChunk:
        """A closing chunk with metadata (and the estimated usage, when estimated)."""
        metadata = self.model._base_metadata(self.state.model_name)
        metadata["usage_estimated"] = outcome.usage_estimated
        hooks = self.model.call_hooks
        if hooks is not None:
            metadata.update(hooks.response_metadata(self.call, outcome))
        chunk = AIMessageChunk(content="", response_metadata=metadata, chunk_position="last")
        if outcome.usage_estimated and outcome.usage is not None:
            chunk.usage_metadata = outcome.usage
        return ChatGenerationChunk(message=chunk)
