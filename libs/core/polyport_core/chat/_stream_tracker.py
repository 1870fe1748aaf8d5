"""Bookkeeping of one stream: usage (reported or estimated), completeness, the output guard,
time to first token, and the one rule for a stream that breaks."""

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
from polyport_core.wire import make_usage

if TYPE_CHECKING:
    from polyport_core.chat._model import ProviderChatModel
    from polyport_core.wire import StreamState

__all__ = ["StreamTracker"]


class StreamTracker:
    """Usage, completeness, size guard and time-to-first-token bookkeeping of one stream."""

    __slots__ = ("call", "chunks", "first_token_at", "guard", "model", "pieces", "usage")

    def __init__(self, model: ProviderChatModel, call: CallInfo) -> None:
        self.model = model
        self.call = call
        self.pieces: list[str] = []
        self.usage: Any = None
        self.first_token_at: float | None = None
        self.chunks = 0
        self.guard = StreamGuard(call.max_output_tokens, provider=model.provider, model=model.model_name)

    def observe(self, chunk: AIMessageChunk) -> ChatGenerationChunk:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.chunks += 1
        if chunk.usage_metadata is not None:
            self.usage = chunk.usage_metadata
        content = chunk.content
        if content:
            piece = content if isinstance(content, str) else str(content)
            self.pieces.append(piece)
            self.guard.output(len(piece))
        for tool_chunk in chunk.tool_call_chunks:
            args = tool_chunk.get("args")
            if args:
                self.pieces.append(args)
                self.guard.output(len(args))
        return ChatGenerationChunk(message=chunk)

    def check_complete(self, state: StreamState) -> None:
        if state.finished:
            return
        where: dict[str, Any] = {"provider": self.model.provider, "model": self.model.model_name}
        if not self.chunks:  # nothing reached the caller: an ordinary, retryable failure
            raise ProviderUnavailableError("The stream ended before its first chunk (the server closed it)", **where)
        raise BadResponseError("The stream ended before the model finished its response", **where)

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

    def partial(self, state: StreamState) -> CallOutcome:
        """What a stream that broke or was closed delivered: billed like any output, marked estimated.

        A usage report seen mid-stream (Anthropic sends one at the start) keeps its input count,
        and its output count when that exceeds the estimate of what was streamed.
        """
        outcome = self._timing(state)
        if not self.chunks:
            return outcome  # nothing came back: nothing is billed
        estimate = self._estimate(self.usage["input_tokens"] if self.usage is not None else None)
        if self.usage is not None and self.usage["output_tokens"] >= estimate["output_tokens"]:
            outcome.usage = self.usage
        else:
            outcome.usage, outcome.usage_estimated = estimate, True
        return outcome

    def _timing(self, state: StreamState) -> CallOutcome:
        return CallOutcome(
            latency_s=time.perf_counter() - self.call.started_at,
            time_to_first_token_s=None
            if self.first_token_at is None
            else self.first_token_at - self.call.started_at,
            response_headers=state.headers,
        )

    def outcome(self, state: StreamState) -> CallOutcome:
        outcome = self._timing(state)
        if self.usage is not None or self.model.stream_usage:
            outcome.usage, outcome.usage_estimated = self._usage()
        return outcome

    def final_chunk(self, state: StreamState, outcome: CallOutcome) -> ChatGenerationChunk:
        """A closing chunk with metadata (and the estimated usage, when estimated)."""
        metadata = self.model._base_metadata(state.model_name)
        metadata["usage_estimated"] = outcome.usage_estimated
        hooks = self.model.call_hooks
        if hooks is not None:
            metadata.update(hooks.response_metadata(self.call, outcome))
        chunk = AIMessageChunk(content="", response_metadata=metadata, chunk_position="last")
        if outcome.usage_estimated and outcome.usage is not None:
            chunk.usage_metadata = outcome.usage
        return ChatGenerationChunk(message=chunk)
