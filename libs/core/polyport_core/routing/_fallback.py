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

from collections.abc import AsyncIterator, Iterator, Sequence
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


def _open_stream(stream: Iterator[Any]) -> tuple[Iterator[Any], Any]:
    """Start a stream: its first chunk (None for an empty stream), so failures before it can be retried."""
    return stream, next(stream, None)


async def _aopen_stream(stream: AsyncIterator[Any]) -> tuple[AsyncIterator[Any], Any]:
    return stream, await anext(stream, None)


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
        self._breaker = CircuitBreaker(len(self.models), self.failure_threshold, self.cooldown_s)
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
            waits = ", ".join(
                f"{_name(m)} {self._breaker.cooling_for(i):.1f}s" for i, m in enumerate(self.models)
            )
            raise ProviderUnavailableError(f"Every model is cooling down after repeated failures ({waits})")
        return ready

    def _failed(self, index: int, error: BaseException, steps: list[dict[str, Any]]) -> None:
        opened = False if isinstance(error, LOCAL_REFUSALS) else self._breaker.failure(index)
        steps.append(
            {
                "model": _name(self.models[index]),
                "error": getattr(error, "kind", type(error).__name__),
                "message": str(error)[:200],
                "cooldown_started": opened,
            }
        )

    def _note(self, steps: list[dict[str, Any]], index: int) -> dict[str, Any]:
        return {"fallback": {"used": _name(self.models[index]), "index": index, "failed": steps}}

    def _finish(self, message: BaseMessage, steps: list[dict[str, Any]], index: int) -> ChatResult:
        self._breaker.success(index)
        message.response_metadata = {**message.response_metadata, **self._note(steps, index)}
        return ChatResult(generations=[ChatGeneration(message=message)])

    @staticmethod
    def _step_text(steps: list[dict[str, Any]]) -> str:
        last = steps[-1]
        return f"fallback: {last['model']} failed with {last['error']}; trying the next model\n"

    # ------------------------------------------------------------ calls
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        steps: list[dict[str, Any]] = []
        error: BaseException | None = None
        for index in self._candidates():
            model = self.models[index]
            config = None  # an LLM run cannot parent runs; the steps go to on_text and metadata

            def attempt(model: Any = model, config: Any = config) -> Any:
                return model.invoke(messages, config=config, stop=stop, **kwargs)

            try:
                message = self.retry.call(attempt) if self.retry else attempt()
            except self.fallback_on as caught:
                error = caught
                self._failed(index, caught, steps)
                if run_manager is not None:
                    run_manager.on_text(self._step_text(steps))
                continue
            return self._finish(message, steps, index)
        assert error is not None
        raise error

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        steps: list[dict[str, Any]] = []
        error: BaseException | None = None
        for index in self._candidates():
            model = self.models[index]
            config = None  # an LLM run cannot parent runs; the steps go to on_text and metadata

            async def attempt(model: Any = model, config: Any = config) -> Any:
                return await model.ainvoke(messages, config=config, stop=stop, **kwargs)

            try:
                message = await (self.retry.acall(attempt) if self.retry else attempt())
            except self.fallback_on as caught:
                error = caught
                self._failed(index, caught, steps)
                if run_manager is not None:
                    await run_manager.on_text(self._step_text(steps))
                continue
            return self._finish(message, steps, index)
        assert error is not None
        raise error

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        steps: list[dict[str, Any]] = []
        error: BaseException | None = None
        for index in self._candidates():
            model = self.models[index]

            def attempt(model: Any = model) -> tuple[Iterator[Any], Any]:
                return _open_stream(iter(model.stream(messages, config=None, stop=stop, **kwargs)))

            try:
                stream, first = self.retry.call(attempt) if self.retry else attempt()
            except self.fallback_on as caught:
                error = caught
                self._failed(index, caught, steps)
                if run_manager is not None:
                    run_manager.on_text(self._step_text(steps))
                continue
            try:
                if first is not None:
                    yield ChatGenerationChunk(message=first)
                for chunk in stream:
                    yield ChatGenerationChunk(message=chunk)
            except Exception as caught:
                self._breaker.failure(index)
                raise _interrupted(model, caught) from caught
            self._breaker.success(index)
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", response_metadata=self._note(steps, index))
            )
            return
        assert error is not None
        raise error

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        steps: list[dict[str, Any]] = []
        error: BaseException | None = None
        for index in self._candidates():
            model = self.models[index]

            async def attempt(model: Any = model) -> tuple[AsyncIterator[Any], Any]:
                return await _aopen_stream(aiter(model.astream(messages, config=None, stop=stop, **kwargs)))

            try:
                stream, first = await (self.retry.acall(attempt) if self.retry else attempt())
            except self.fallback_on as caught:
                error = caught
                self._failed(index, caught, steps)
                if run_manager is not None:
                    await run_manager.on_text(self._step_text(steps))
                continue
            try:
                if first is not None:
                    yield ChatGenerationChunk(message=first)
                async for chunk in stream:
                    yield ChatGenerationChunk(message=chunk)
            except Exception as caught:
                self._breaker.failure(index)
                raise _interrupted(model, caught) from caught
            self._breaker.success(index)
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", response_metadata=self._note(steps, index))
            )
            return
        assert error is not None
        raise error

    # ------------------------------------------------------------ tools
    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind the tools on every model (each formats them for its vendor)."""
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        bound = [m.bind_tools(tools, **kwargs) for m in self.models]
        return self.model_copy(update={"models": bound})
