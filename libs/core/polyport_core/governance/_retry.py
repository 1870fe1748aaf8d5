"""Retries with exponential backoff and jitter that honour the server's wait hints.

Retried: rate limit (429), timeout (408), conflict/5xx/connection errors
(``ProviderUnavailableError``). Never: 400/401/403/404, context window,
budget, local rate-limit refusals. The wait is the server's hint when it
sent one (``Retry-After``, ``retry-after-ms``, ``x-ratelimit-reset-*``,
``anthropic-ratelimit-*-reset``), else ``initial_s * 2^n`` plus jitter; a
hint longer than ``max_retry_after_s`` ends the retries at once.

One retry layer only: the vendor SDKs (openai, anthropic) already retry
``max_retries`` times with the same rules minus the ``x-ratelimit-reset``
hints. Use a ``RetryPolicy`` (e.g. ``FallbackChatModel(retry=...)``) with
the models' ``max_retries=0``; ``FallbackChatModel`` refuses the mix.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from polyport_core.errors import (
    BudgetExceededError,
    LedgerUnavailableError,
    ProviderUnavailableError,
    RateLimitError,
    RateLimitWaitExceededError,
)
from polyport_core.errors import (
    TimeoutError as PolyportTimeoutError,
)
from polyport_core.governance._quota import retry_after_from_headers

__all__ = ["RetryPolicy", "is_retryable", "server_wait_hint"]

T = TypeVar("T")


def server_wait_hint(error: BaseException) -> float | None:
    """Seconds the server asked us to wait: the error's ``retry_after`` or its cause's headers."""
    hint = getattr(error, "retry_after", None)
    if hint is not None:
        return float(hint)
    cause = error.__cause__
    response = getattr(cause, "response", None)
    headers = getattr(response, "headers", None) or getattr(cause, "headers", None)
    return retry_after_from_headers(headers) if headers else None


def is_retryable(error: BaseException) -> bool:
    """Transient errors only; never client errors, budgets or local limit refusals."""
    if isinstance(error, RateLimitWaitExceededError | BudgetExceededError | LedgerUnavailableError):
        return False
    return isinstance(error, RateLimitError | PolyportTimeoutError | ProviderUnavailableError)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to retry a transient failure."""

    max_attempts: int = 3
    initial_s: float = 0.5
    max_backoff_s: float = 30.0
    jitter_s: float = 0.5
    max_retry_after_s: float = 60.0

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hint = server_wait_hint(error) if error is not None else None
        if hint is not None:
            return max(0.0, hint)
        backoff = wait_exponential_jitter(
            multiplier=self.initial_s, max=self.max_backoff_s, jitter=self.jitter_s
        )
        return float(backoff(state))

    def _should_retry(self, error: BaseException) -> bool:
        if not is_retryable(error):
            return False
        hint = server_wait_hint(error)
        return hint is None or hint <= self.max_retry_after_s

    def _kwargs(self) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self.max_attempts),
            "wait": self._wait,
            "retry": retry_if_exception(self._should_retry),
            "reraise": True,
        }

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` with retries (blocking sleeps)."""
        return Retrying(**self._kwargs())(fn)

    async def acall(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``await fn()`` with retries (``asyncio.sleep``)."""
        return await AsyncRetrying(**self._kwargs())(fn)
