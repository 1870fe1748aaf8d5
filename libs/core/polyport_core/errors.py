"""One error hierarchy that every partner maps its SDK's errors into.

Each class also subclasses the matching langchain-core error, so code written
against langchain-core (``except ModelRateLimitError``) keeps working, and code
written against polyport can catch ``PolyportError`` for everything.
Messages always name the provider and model; they never carry a secret.
"""

from __future__ import annotations

from typing import Any

from langchain_core.exceptions import (
    ContextOverflowError,
    LangChainException,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from polyport_core.redaction import redact_data, redact_text

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BadResponseError",
    "BudgetExceededError",
    "ContextWindowExceededError",
    "ContextWindowRefusedError",
    "InvalidConfigError",
    "LedgerUnavailableError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolyportError",
    "ProviderUnavailableError",
    "RateLimitError",
    "RateLimitWaitExceededError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "StreamInterruptedError",
    "TimeoutError",
    "with_origin",
]


class PolyportError(ModelError):
    """Base of every error polyport raises about a model call or a provider."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        body: Any = None,
    ) -> None:
        message = redact_text(message)  # servers echo credentials; never carry one
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.body = redact_data(body)
        self.detail = message
        super().__init__(self._format(message))

    def _format(self, message: str) -> str:
        where = []
        if self.provider:
            where.append(f"provider={self.provider}")
        if self.model:
            where.append(f"model={self.model}")
        if self.status_code is not None:
            where.append(f"status={self.status_code}")
        return f"{message} [{', '.join(where)}]" if where else message


class AuthenticationError(PolyportError, ModelAuthenticationError):
    """The provider rejected the credentials (HTTP 401)."""

    kind = "authentication"


class PermissionDeniedError(PolyportError, ModelPermissionDeniedError):
    """The credentials lack permission for this request (HTTP 403)."""

    kind = "permission"


class NotFoundError(PolyportError, ModelNotFoundError):
    """The model or endpoint does not exist on this provider (HTTP 404)."""

    kind = "not_found"


class BadRequestError(PolyportError, ModelInvalidRequestError):
    """The provider rejected the request as invalid (HTTP 400/422)."""

    kind = "bad_request"


class ContextWindowExceededError(BadRequestError, ContextOverflowError):
    """The prompt (plus requested output) does not fit the model's context window."""

    kind = "context_window"


class RateLimitError(PolyportError, ModelRateLimitError):
    """The provider throttled the call (HTTP 429); ``retry_after`` is in seconds."""

    kind = "rate_limit"
    is_retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        if retry_after is not None:
            message = f"{message} (retry after {retry_after:g}s)"
        super().__init__(message, **kwargs)


class TimeoutError(PolyportError, ModelTimeoutError):  # noqa: A001 - mirrors the SDK names
    """The request did not complete within the configured timeout."""

    kind = "timeout"
    is_retryable = True


class ProviderUnavailableError(PolyportError, ModelAPIError, ModelConnectionError):
    """The provider could not be reached or answered with a server error (5xx)."""

    kind = "unavailable"
    is_retryable = True


class BadResponseError(PolyportError, ModelAPIError):
    """The provider answered with something that is not a valid response (bad JSON, cut stream)."""

    kind = "bad_response"


class BudgetExceededError(PolyportError):
    """A call would push spend past a configured budget."""

    kind = "budget"


class InvalidConfigError(PolyportError, LangChainException):
    """A configuration value (spec file, constructor argument) is wrong; says where."""

    kind = "invalid_config"


def with_origin(error: BaseException, provider: str, model: str) -> BaseException:
    """``error`` with its provider and model filled in where the mapper left them unset."""
    if isinstance(error, PolyportError) and not (error.provider and error.model):
        error.provider = error.provider or provider
        error.model = error.model or model
        error.args = (error._format(error.detail),)  # rebuilt from the bare message: never a second suffix
    return error


_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "maximum context",
    "exceeds the available context",
    "prompt is too long",
    "too many tokens",
)


def looks_like_context_overflow(text: str) -> bool:
    """Whether a provider's 400 message says the prompt did not fit."""
    lowered = text.lower()
    return any(marker in lowered for marker in _CONTEXT_MARKERS)


def error_for_status(
    status: int,
    message: str,
    *,
    provider: str | None,
    model: str | None,
    retry_after: float | None = None,
    body: Any = None,
) -> PolyportError:
    """The polyport error for an HTTP status, shared by every partner's mapper."""
    common: dict[str, Any] = {"provider": provider, "model": model, "status_code": status, "body": body}
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        return PermissionDeniedError(message, **common)
    if status == 404:
        return NotFoundError(message, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **common)
    if status in (400, 413, 422):
        if looks_like_context_overflow(message):
            return ContextWindowExceededError(message, **common)
        return BadRequestError(message, **common)
    if status == 408:
        return TimeoutError(message, **common)
    if status >= 500 or status == 409:
        return ProviderUnavailableError(message, **common)
    return BadRequestError(message, **common)


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` headers, if present."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            return float(raw)
        except ValueError:
            import time
            from email.utils import parsedate_to_datetime

            try:
                return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


class LedgerUnavailableError(PolyportError):
    """The usage ledger (SQLite file or Redis) could not be reached; the call was not made."""

    kind = "ledger_unavailable"


class RateLimitWaitExceededError(RateLimitError):
    """A local rate limit would not free up within the allowed wait (or ``fail_fast`` is set)."""

    kind = "rate_limit"


class RequestValidationError(PolyportError, ModelInvalidRequestError, ValueError):
    """A call contradicts what is declared about the model; refused before anything is sent.

    ``fact`` names the declared fact or accepted option (``max_output_tokens``,
    ``tools``, ``params.temperature``...) and ``declared_in`` where it was declared
    (a spec file, a preset, the bundled catalog). Nothing reached the provider,
    so nothing was billed, limited or recorded.
    """

    kind = "request_validation"

    def __init__(
        self, message: str, *, fact: str | None = None, declared_in: str | None = None, **kwargs: Any
    ) -> None:
        self.fact = fact
        self.declared_in = declared_in
        super().__init__(message, **kwargs)


class ContextWindowRefusedError(RequestValidationError, ContextWindowExceededError):
    """The estimated prompt is larger than the declared context window (refused locally)."""

    kind = "context_window"


class StreamInterruptedError(BadResponseError):
    """A stream was cut, or sent an error event, after its first chunk reached the caller.

    The one rule for broken streams: before the first chunk, a drop is an ordinary
    failure (``ProviderUnavailableError``, retried and fallen back like a cut
    non-stream body); after it, the partial answer is already with the caller, so
    nothing can be retried and this error is raised, the cause attached. The tokens
    already streamed are recorded (estimated) and charged to the budget.
    """

    kind = "stream_interrupted"


class ResponseTooLargeError(BadResponseError):
    """A response exceeded a size limit: a non-stream body past ``max_response_bytes``, or a
    stream far longer than its ``max_tokens`` allows (an endless or runaway stream)."""

    kind = "response_too_large"
