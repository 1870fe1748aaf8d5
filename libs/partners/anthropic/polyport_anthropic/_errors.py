"""anthropic SDK errors (and in-stream ``error`` events) → polyport's error hierarchy."""

from __future__ import annotations

from typing import Any

from polyport_core.errors import PolyportError, error_for_status
from polyport_core.transport import map_sdk_error

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


def _describe(status: int, body: Any, fallback: str) -> str:
    message = _message_of(body, fallback)
    if status == 529:
        return f"Overloaded (HTTP 529), try again later: {message}"
    return message


def map_anthropic_error(error: BaseException, provider: str, model: str) -> BaseException:
    """The polyport error for an anthropic SDK (or httpx2 transport) exception."""
    import anthropic

    return map_sdk_error(error, anthropic, provider=provider, model=model, describe=_describe)
