"""Build the official anthropic SDK clients (imported lazily: the SDK costs ~2 s to import)."""

from __future__ import annotations

from typing import Any

from polyport_core.adapters.stainless import ClientPair, client_pair

__all__ = ["make_anthropic_clients", "make_bedrock_clients", "make_vertex_clients"]

# Sent to Anthropic-compatible servers that need no key (local servers): the SDK insists on one.
NO_KEY = "no-key-required"


def _common(timeout: float | None, max_retries: int, default_headers: dict[str, str] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"max_retries": max_retries, "default_headers": default_headers}
    if timeout is not None:
        kwargs["timeout"] = timeout
    return kwargs


def _pair(
    sync_name: str, async_name: str, kwargs: dict[str, Any], http_client: Any, http_async_client: Any
) -> ClientPair:
    import anthropic

    return client_pair(
        getattr(anthropic, sync_name),
        getattr(anthropic, async_name),
        kwargs,
        http_client=http_client,
        http_async_client=http_async_client,
        default_async_http_client=anthropic.DefaultAsyncHttpxClient,
    )


def make_anthropic_clients(
    *,
    api_key: str,
    base_url: str | None,
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> ClientPair:
    """``anthropic.Anthropic`` and per-loop ``AsyncAnthropic`` clients sharing settings."""
    kwargs = {"api_key": api_key, "base_url": base_url, **_common(timeout, max_retries, default_headers)}
    return _pair("Anthropic", "AsyncAnthropic", kwargs, http_client, http_async_client)


def make_bedrock_clients(
    *,
    settings: dict[str, Any],
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> ClientPair:
    """``AnthropicBedrock`` clients (SigV4 from AWS keys/profile, or a Bedrock API key)."""
    kwargs = {**settings, **_common(timeout, max_retries, default_headers)}
    return _pair("AnthropicBedrock", "AsyncAnthropicBedrock", kwargs, http_client, http_async_client)


def make_vertex_clients(
    *,
    settings: dict[str, Any],
    timeout: float | None,
    max_retries: int,
    default_headers: dict[str, str] | None,
    http_client: Any,
    http_async_client: Any,
) -> ClientPair:
    """``AnthropicVertex`` clients (an access token, google-auth credentials or ADC)."""
    kwargs = {**settings, **_common(timeout, max_retries, default_headers)}
    return _pair("AnthropicVertex", "AsyncAnthropicVertex", kwargs, http_client, http_async_client)
