"""anthropic SDK errors (and in-stream ``error`` events) → polyport's error hierarchy."""

from __future__ import annotations

import json
from typing import Any

from polyport_core.errors import (
    BadResponseError,
    PolyportError,
    ProviderUnavailableError,
    error_for_status,
    parse_retry_after,
)
from polyport_core.errors import (
    TimeoutError as RequestTimeoutError,
)

__all__ = ["error_from_event", "map_anthropic_error"]

# Anthropic's documented error types and the HTTP status each one comes with.
_STATUS_OF_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def _message_of(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            kind = error.get("type")
            return f"{kind}: {error['message']}" if kind else str(error["message"])
        if isinstance(error, str):
            return error
    return fallback


def error_from_event(body: dict[str, Any], provider: str, model: str) -> PolyportError:
    """The polyport error for an SSE ``error`` event received mid-stream."""
    raw = body.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    status = _STATUS_OF_TYPE.get(str(error.get("type")), 500)
    message = _message_of(body, "error event in the stream")
    return error_for_status(status, f"Error mid-stream: {message}", provider=provider, model=model, body=body)


def map_anthropic_error(error: BaseException, provider: str, model: str) -> BaseException:
    """The polyport error for an anthropic SDK (or httpx2 transport) exception."""
    if isinstance(error, PolyportError):
        return error
    import anthropic
    import httpx2

    where: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(error, anthropic.APIStatusError):
        response = error.response
        status = response.status_code
        message = _message_of(error.body, error.message)
        if status == 529:
            message = f"Overloaded (HTTP 529), try again later: {message}"
        return error_for_status(
            status, message, retry_after=parse_retry_after(response.headers), body=error.body, **where
        )
    if isinstance(error, anthropic.APITimeoutError | httpx2.TimeoutException):
        return RequestTimeoutError("The request timed out", **where)
    if isinstance(error, anthropic.APIConnectionError | httpx2.ConnectError):
        request = getattr(error, "request", None)
        host = request.url.host if request is not None else "the server"
        return ProviderUnavailableError(f"Could not connect to {host}: {error}", **where)
    if isinstance(error, httpx2.TransportError):
        return BadResponseError(f"The connection broke while reading the response: {error!r}", **where)
    if isinstance(error, json.JSONDecodeError):
        return BadResponseError(f"The server sent invalid JSON: {error}", **where)
    return error
