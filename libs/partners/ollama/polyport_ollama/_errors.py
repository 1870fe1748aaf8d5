"""ollama SDK errors → polyport's error hierarchy, with the fix spelled out."""

from __future__ import annotations

import json
from typing import Any

from polyport_core.auth import redact_url, scrub_exception
from polyport_core.errors import (
    BadResponseError,
    NotFoundError,
    PolyportError,
    ProviderUnavailableError,
    error_for_status,
)
from polyport_core.errors import TimeoutError as RequestTimeoutError

__all__ = ["map_ollama_error"]


def map_ollama_error(error: BaseException, provider: str, model: str, host: str) -> BaseException:
    """The polyport error for an ollama SDK / httpx exception; names the model or host.

    The SDK exception (the mapped error's ``__cause__``) is redacted in place, and the
    host is shown without credentials.
    """
    scrub_exception(error)
    if isinstance(error, PolyportError):
        return error
    import httpx
    import ollama

    host = redact_url(host)

    where: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(error, ollama.ResponseError):
        message = str(error.error)
        if error.status_code == 404 or "not found" in message.lower():
            return NotFoundError(
                f"Model {model!r} is not available on the Ollama server at {host} ({message}); "
                f"run `ollama pull {model}`",
                status_code=404,
                **where,
            )
        status = error.status_code if error.status_code > 0 else 500
        return error_for_status(status, message, **where)
    if isinstance(error, ConnectionError | httpx.ConnectError):
        return ProviderUnavailableError(
            f"Could not connect to the Ollama server at {host}: is `ollama serve` running there?", **where
        )
    if isinstance(error, httpx.TimeoutException):
        return RequestTimeoutError(f"The request to {host} timed out", **where)
    if isinstance(error, httpx.TransportError):
        return ProviderUnavailableError(
            f"The response from the Ollama server at {host} was cut off ({type(error).__name__})", **where
        )
    if isinstance(error, json.JSONDecodeError):
        return BadResponseError(f"The Ollama server at {host} answered with invalid JSON ({error})", **where)
    return error
