"""Build the official anthropic SDK clients (imported lazily: the SDK costs ~2 s to import)."""

from __future__ import annotations

from typing import Any

__all__ = ["make_anthropic_clients", "make_bedrock_clients", "make_vertex_clients"]

# Sent to Anthropic-compatible servers that need no key (local servers): the SDK insists on one.
NO_KEY = "no-key-required"


def _common(
    timeout: float | None, max_retries: int, default_headers: dict[str, str] | None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"max_retries": max_retries, "default_headers": default_headers}
    if timeout is not None:
        kwargs["timeout"] = timeout
    return kwargs


def make_anthropic_clients(
    *,
    api_key: str,
    base_url: str | None,
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> tuple[Any, Any]:
    """A sync and an async ``anthropic.Anthropic`` client sharing settings."""
    import anthropic

    kwargs = {"api_key": api_key, "base_url": base_url, **_common(timeout, max_retries, default_headers)}
    return (
        anthropic.Anthropic(**kwargs, http_client=http_client),
        anthropic.AsyncAnthropic(**kwargs, http_client=http_async_client),
    )


def make_bedrock_clients(
    *,
    settings: dict[str, Any],
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> tuple[Any, Any]:
    """``AnthropicBedrock`` clients (SigV4 from AWS keys/profile, or a Bedrock API key)."""
    from anthropic import AnthropicBedrock, AsyncAnthropicBedrock

    kwargs = {**settings, **_common(timeout, max_retries, default_headers)}
    return (
        AnthropicBedrock(**kwargs, http_client=http_client),
        AsyncAnthropicBedrock(**kwargs, http_client=http_async_client),
    )


def make_vertex_clients(
    *,
    settings: dict[str, Any],
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> tuple[Any, Any]:
    """``AnthropicVertex`` clients (an access token, google-auth credentials or ADC)."""
    from anthropic import AnthropicVertex, AsyncAnthropicVertex

    kwargs = {**settings, **_common(timeout, max_retries, default_headers)}
    return (
        AnthropicVertex(**kwargs, http_client=http_client),
        AsyncAnthropicVertex(**kwargs, http_client=http_async_client),
    )
