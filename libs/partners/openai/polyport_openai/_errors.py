"""openai SDK errors → polyport's error hierarchy, naming provider and model."""

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
    TimeoutError as ModelTimeout,
)

__all__ = ["map_openai_error"]


def _message_of(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return fallback


def map_openai_error(error: BaseException, provider: str, model: str) -> BaseException:
    """The polyport error for an openai SDK (or httpx2 transport) exception."""
    if isinstance(error, PolyportError):
        return error
    import httpx2
    import openai

    where: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(error, openai.APIStatusError):
        response = error.response
        return error_for_status(
            response.status_code,
            _message_of(error.body, error.message),
            retry_after=parse_retry_after(response.headers),
            body=error.body,
            **where,
        )
    if isinstance(error, openai.APITimeoutError | httpx2.TimeoutException):
        return ModelTimeout("The request timed out", **where)
    if isinstance(error, openai.APIConnectionError | httpx2.ConnectError):
        request = getattr(error, "request", None)
        host = request.url.host if request is not None else "the server"
        return ProviderUnavailableError(f"Could not connect to {host}: {error}", **where)
    if isinstance(error, httpx2.TransportError):
        return BadResponseError(f"The connection broke while reading the response: {error!r}", **where)
    if isinstance(error, json.JSONDecodeError):
        return BadResponseError(f"The server sent invalid JSON: {error}", **where)
    return error
