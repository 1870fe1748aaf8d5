"""A Responses API error object (``response.error``, a stream's ``error`` event) → a polyport error.

Such errors come with a ``code`` and a ``message`` but no HTTP status (the HTTP
answer was 200 and the failure arrived in the body or the stream), so the code
picks the error class: a rate limit is retryable, a server error is the provider
being unavailable, a prompt that did not fit is a context-window error, anything
else is a bad request.
"""

from __future__ import annotations

from typing import Any

from polyport_core.errors import (
    BadRequestError,
    ContextWindowExceededError,
    PolyportError,
    ProviderUnavailableError,
    RateLimitError,
    looks_like_context_overflow,
)

__all__ = ["responses_error"]

_BY_CODE: dict[str, type[PolyportError]] = {
    "rate_limit_exceeded": RateLimitError,
    "insufficient_quota": RateLimitError,
    "server_error": ProviderUnavailableError,
    "vector_store_timeout": ProviderUnavailableError,
    "context_length_exceeded": ContextWindowExceededError,
}


def responses_error(error: Any, *, what: str = "The response failed") -> PolyportError:
    """The polyport error for a Responses ``error`` object (``{"code": ..., "message": ...}``)."""
    if isinstance(error, dict):
        code = str(error.get("code") or "")
        message = str(error.get("message") or code or "no message")
    else:
        code, message = "", str(error or "no message")
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = ContextWindowExceededError if looks_like_context_overflow(message) else BadRequestError
    detail = f"{what}: {message}" + (f" (code {code})" if code else "")
    return cls(detail, body=error)
