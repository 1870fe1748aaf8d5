"""HTTP failures → polyport errors, by status code and response body (shared by every adapter)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from polyport_core.auth import redact_text, scrub_exception
from polyport_core.errors import (
    BadResponseError,
    PolyportError,
    ProviderUnavailableError,
    error_for_status,
    parse_retry_after,
)
from polyport_core.errors import TimeoutError as RequestTimeoutError

__all__ = ["error_from_response", "error_message", "map_http_error"]


def error_message(body: Any, text: str = "") -> str:
    """The human message in an error body: ``error.message``, ``error``, ``message``, ``detail``."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        for value in (error, body.get("message"), body.get("detail")):
            if isinstance(value, str) and value:
                return value
    return text.strip()[:500] or "no error message in the response body"


def error_from_response(
    response: httpx.Response, *, provider: str | None, model: str | None, secrets: Iterable[str] = ()
) -> PolyportError:
    """The polyport error for a >= 400 response (its body must have been read)."""
    text = response.text
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = None
    message = redact_text(error_message(body, text), secrets)
    return error_for_status(
        response.status_code,
        message,
        provider=provider,
        model=model,
        retry_after=parse_retry_after(response.headers),
        body=body,
    )


def map_http_error(error: BaseException, *, base_url: str, provider: str | None, model: str | None) -> BaseException:
    """httpx transport failures as polyport errors; polyport errors and others unchanged.

    The original exception (the mapped error's ``__cause__``) is redacted in place.
    """
    scrub_exception(error)
    if isinstance(error, PolyportError):
        return error
    where: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(error, httpx.TimeoutException):
        return RequestTimeoutError(f"The request to {redact_text(base_url)} timed out", **where)
    if isinstance(error, httpx.TransportError):
        return ProviderUnavailableError(
            f"Could not reach {redact_text(base_url)} ({type(error).__name__}); is the server running?",
            **where,
        )
    if isinstance(error, ValueError) and type(error).__name__ == "JSONDecodeError":
        return BadResponseError(f"The server answered with invalid JSON ({error})", **where)
    return error
