"""Build the official anthropic SDK clients (imported lazily: the SDK costs ~2 s to import)."""

from __future__ import annotations

from typing import Any

from polyport_core.auth import is_secret_name, protect
from polyport_core.transport import ClientPair, client_pair, model_http_options

__all__ = ["NO_KEY", "make_clients"]

# Sent to Anthropic-compatible servers that need no key (local servers): the SDK insists on one.
NO_KEY = "no-key-required"


def make_clients(owner: Any, settings: dict[str, Any], platform: str = "") -> ClientPair:
    """``Anthropic{platform}`` and per-loop ``AsyncAnthropic{platform}`` clients for a chat model.

    ``platform`` is ``""`` (Anthropic API), ``"Bedrock"`` or ``"Vertex"``; ``settings`` holds
    the platform's own constructor arguments (key, region, project, …). Timeouts, retries,
    headers, HTTP clients, TLS and proxy come from ``owner``.
    """
    import anthropic

    protect(*(v for k, v in settings.items() if is_secret_name(k)))
    kwargs: dict[str, Any] = {
        **settings,
        "max_retries": owner.max_retries,
        "default_headers": owner._headers(),
    }
    if owner.timeout is not None:
        kwargs["timeout"] = owner.timeout
    options = model_http_options(owner, "anthropic_proxy")  # TLS, and anthropic_proxy over the spec's proxy
    http_client = owner.http_client
    if http_client is None and options:
        http_client = anthropic.DefaultHttpxClient(**options)

    def default_async() -> Any:
        return anthropic.DefaultAsyncHttpxClient(**options)

    return client_pair(
        getattr(anthropic, f"Anthropic{platform}"),
        getattr(anthropic, f"AsyncAnthropic{platform}"),
        kwargs,
        http_client=http_client,
        http_async_client=owner.http_async_client,
        default_async_http_client=default_async,
    )
