"""``FallbackChatModel``: one chat model over several, tried in priority order.

A call goes to the first model whose circuit breaker is closed; on an error
of a chosen kind (default: rate limit, unavailable, timeout, budget) it moves
to the next. Each step is reported to callbacks (``on_text``) and in the
answer's ``response_metadata["fallback"]``. Streams follow the one rule of
``StreamInterruptedError``: before their first chunk a failure is retried and
falls back like any other; after it, the partial answer is already with the
caller, so ``StreamInterruptedError`` is raised instead (the cause attached).

Retries: with ``retry=RetryPolicy(...)`` each model is retried before the
next is tried, streams included (a 429 before the first chunk is retried).
The vendor SDKs retry too, so this requires the models' ``max_retries=0``
(else ``InvalidConfigError``) unless ``allow_sdk_retries=True`` says the
double layer is intended.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from polyport_core.errors import (
    BudgetExceededError,
    InvalidConfigError,
    PolyportError,
    ProviderUnavailableError,
    RateLimitError,
    RateLimitWaitExceededError,
    RequestValidationError,
    StreamInterruptedError,
)
from polyport_core.errors import TimeoutError as PolyportTimeoutError
from polyport_core.governance import RetryPolicy
from polyport_core.routing._breaker import CircuitBreaker
from polyport_core.routing._health import provider_down

__all__ = ["DEFAULT_FALLBACK_ON", "LOCAL_REFUSALS", "FallbackChatModel", "StreamInterruptedError"]

DEFAULT_FALLBACK_ON: tuple[type[BaseException], ...] = (
    RateLimitError,
    ProviderUnavailableError,
    PolyportTimeoutError,
    BudgetExceededError,
    RequestValidationError,
)

LOCAL_REFUSALS: tuple[type[BaseException], ...] = (
    BudgetExceededError,
    RateLimitWaitExceededError,
    RequestValidationError,
)
"""Refusals made here (budget, local rate limit, declared facts) before anything was sent: they
move on to the next model but say nothing about the provider's health, so never trip its breaker."""


def _interrupted(model: Any, error: BaseException) -> BaseException:
    """An error after a stream's first chunk, as ``StreamInterruptedError`` (models built on
    ``ProviderChatModel`` raise it themselves; other chat models are held to the same rule)."""
    if isinstance(error, StreamInterruptedError) or not isinstance(error, PolyportError):
        return error
    interrupted = StreamInterruptedError(f"{_name(model)} failed after the stream started: {error.detail}")
    interrupted.__cause__ = error
    return interrupted


def _open_stream(model: Any, messages: list[BaseMessage], **kwargs: Any) -> Iterator[Any]:
    """Start a model's stream (read its first chunk, so failures before it are retried and fall back)."""
    stream = iter(model.stream(messages, **kwargs))
    first = next(stream, None)
    return stream if first is None else itertools.chain((first,), stream)


async def _aopen_stream(model: Any, messages: list[BaseMessage], **kwargs: Any) -> AsyncIterator[Any]:
    """Async twin of ``_open_stream``."""
    stream = aiter(model.astream(messages, **kwargs))
    first = await anext(stream, None)
    return stream if first is None else _prepend(first, stream)


async def _awaited(send: Callable[[Any], Awaitable[Any]], model: Any) -> Any:
    """``await send(model)`` as a coroutine function (what the retry policy expects)."""
    return await send(model)


async def _prepend(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    yield first
    async for item in rest:
        yield item


def _name(model: Runnable[Any, Any]) -> str:
    inner = getattr(model, "bound", model)
    provider = getattr(inner, "provider", "") or getattr(inner, "_llm_type", "")
    return f"{provider}:{getattr(inner, 'model_name', type(inner).__name__)}"


class FallbackChatModel(BaseChatModel):
    """Chat model that tries ``models`` in order, skipping cooling ones and falling back on errors."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    models: list[Any] = Field(min_length=1)
    """Chat models (or their ``bind_tools`` results) in priority order."""
    fallback_on: tuple[type[BaseException], ...] = DEFAULT_FALLBACK_ON
    failure_threshold: int = 3
    """Consecutive failures that open a model's circuit breaker."""
    cooldown_s: float = 30.0
    clock: Callable[[], float] = Field(default=time.monotonic, exclude=True, repr=False)
    """Monotonic seconds the cool-downs are measured on (inject one in tests instead of sleeping)."""
    retry: RetryPolicy | None = None
    allow_sdk_retries: bool = False
    _breaker: CircuitBreaker = PrivateAttr()

    @model_validator(mode="after")
    def _check(self) -> FallbackChatModel:
        if self.retry is not None and self.retry.max_attempts > 1 and not self.allow_sdk_retries:
            doubled = [_name(m) for m in self.models if getattr(getattr(m, "bound", m), "max_retries", 0)]
            if doubled:
                raise InvalidConfigError(
                    f"Models {doubled} retry in their SDK (max_retries > 0) and retry= is set: set their "
                    "max_retries=0 or pass allow_sdk_retries=True"
                )
        self._breaker = CircuitBreaker(len(self.models), self.failure_threshold, self.cooldown_s,
                                       down=lambda i: provider_down(self.models[i]), clock=self.clock)  # fmt: skip
        return self

    @classmethod
    def from_priority(cls, models: Sequence[tuple[int, Any]], **kwargs: Any) -> FallbackChatModel:
        """Models ordered by a spec's ``priority`` (higher first)."""
        ordered = [m for _, m in sorted(models, key=lambda pair: -pair[0])]
        return cls(models=ordered, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "polyport-fallback"

    # ------------------------------------------------------------ plan
    def _candidates(self) -> list[int]:
        ready = [i for i in range(len(self.models)) if self._breaker.available(i)]
        if not ready:
            waits = ", ".join(f"{_name(m)} {self._breaker.cooling_for(i):.1f}s" for i, m in enumerate(self.models))
            raise ProviderUnavailableError(f"Every model is cooling down after repeated failures ({waits})")
        return ready

    def _first_answer(
        self, route: _Route, send: Callable[[Any], Any], run: CallbackManagerForLLMRun | None
    ) -> tuple[int, Any]:
        """``(index, send(model))`` of the first model that answers (each retried by ``retry``)."""
        for index, model in route:
            try:
                return index, self.retry.call(partial(send, model)) if self.retry else send(model)
            except self.fallback_on as caught:
                note = route.failed(index, caught)
                if run is not None:
                    run.on_text(note)
        raise route.exhausted()

    async def _afirst_answer(
        self, route: _Route, send: Callable[[Any], Awaitable[Any]], run: AsyncCallbackManagerForLLMRun | None
    ) -> tuple[int, Any]:
        """Async twin of ``_first_answer``."""
        for index, model in route:
            try:
                return index, await (self.retry.acall(partial(_awaited, send, model)) if self.retry else send(model))
            except self.fallback_on as caught:
                note = route.failed(index, caught)
                if run is not None:
                    await run.on_text(note)
        raise route.exhausted()

    # ------------------------------------------------------------ calls
    # The twins differ only in their I/O; which model is next, what a failure does to its breaker
    # and what the answer says about the route lives once, in ``_Route``. No config is passed
    # down: an LLM run cannot parent runs (the steps go to on_text and the metadata instead).
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        route = _Route(self)
        index, message = self._first_answer(route, lambda m: m.invoke(messages, stop=stop, **kwargs), run_manager)
        return route.result(index, message)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        route = _Route(self)
        index, message = await self._afirst_answer(
            route, lambda m: m.ainvoke(messages, stop=stop, **kwargs), run_manager
        )
        return route.result(index, message)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        route = _Route(self)
        index, stream = self._first_answer(route, lambda m: _open_stream(m, messages, stop=stop, **kwargs), run_manager)
        try:
            for chunk in stream:
                yield ChatGenerationChunk(message=chunk)
        except Exception as caught:
            raise route.interrupted(index, caught) from caught
        yield route.last_chunk(index)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        route = _Route(self)
        index, stream = await self._afirst_answer(
            route, lambda m: _aopen_stream(m, messages, stop=stop, **kwargs), run_manager
        )
        try:
            async for chunk in stream:
                yield ChatGenerationChunk(message=chunk)
        except Exception as caught:
            raise route.interrupted(index, caught) from caught
        yield route.last_chunk(index)

    # ------------------------------------------------------------ tools
    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind the tools on every model (each formats them for its vendor)."""
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        bound = [m.bind_tools(tools, **kwargs) for m in self.models]
        return self.model_copy(update={"models": bound})


class _Route:
    """One call's walk down the models: which to try, what each failure did, what the answer says.

    Everything here is bookkeeping without I/O, shared by the sync and async calls.
    """

    __slots__ = ("error", "owner", "steps")

    def __init__(self, owner: FallbackChatModel) -> None:
        self.owner = owner
        self.steps: list[dict[str, Any]] = []
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        """``(index, model)`` of every model whose breaker is closed, in priority order."""
        for index in self.owner._candidates():
            yield index, self.owner.models[index]

    def failed(self, index: int, error: BaseException) -> str:
        """Note a failure (a local refusal never trips the breaker); the line for ``on_text``."""
        self.error = error
        opened = False if isinstance(error, LOCAL_REFUSALS) else self.owner._breaker.failure(index)
        name = _name(self.owner.models[index])
        kind = getattr(error, "kind", type(error).__name__)
        self.steps.append({"model": name, "error": kind, "message": str(error)[:200], "cooldown_started": opened})
        return f"fallback: {name} failed with {kind}; trying the next model\n"

    def exhausted(self) -> BaseException:
        """The last model's error, once every model failed."""
        assert self.error is not None  # _candidates() is never empty: it raises instead
        return self.error

    def note(self, index: int) -> dict[str, Any]:
        return {"fallback": {"used": _name(self.owner.models[index]), "index": index, "failed": self.steps}}

    def result(self, index: int, message: BaseMessage) -> ChatResult:
        """The answer of model ``index``, with the route in its ``response_metadata``."""
        self.owner._breaker.success(index)
        message.response_metadata = {**message.response_metadata, **self.note(index)}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def last_chunk(self, index: int) -> ChatGenerationChunk:
        """A stream of model ``index`` ended well: the closing chunk carrying the route."""
        self.owner._breaker.success(index)
        return ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=self.note(index)))

    def interrupted(self, index: int, error: BaseException) -> BaseException:
        """A stream of model ``index`` broke after its first chunk (no fallback: see the module doc)."""
        self.owner._breaker.failure(index)
        return _interrupted(self.owner.models[index], error)
