"""The ollama SDK's sync/async client pair, built one way for chat and embeddings."""

from __future__ import annotations

from typing import Any

from polyport_core.auth import protect, reveal
from polyport_core.spec import TLSSpec
from polyport_core.transport import http_options

from polyport_ollama._params import merged_client_kwargs

__all__ = ["ollama_clients"]


def ollama_clients(
    *,
    host: str,
    headers: Any,
    provider: str,
    tls: TLSSpec | None,
    proxy: str | None,
    timeout: float | None,
    client_kwargs: dict[str, Any] | None,
    sync_client_kwargs: dict[str, Any] | None,
    async_client_kwargs: dict[str, Any] | None,
) -> tuple[Any, Any]:
    """``(ollama.Client, ollama.AsyncClient)``: our settings (host, headers, timeout, the spec's TLS and proxy),
    then the caller's ``client_kwargs`` and the sync/async-only ones, as langchain-ollama layers them."""
    import ollama

    kwargs: dict[str, Any] = {"host": host, "headers": reveal(headers)}
    protect()
    if timeout is not None:
        kwargs["timeout"] = timeout
    kwargs.update(http_options(tls, proxy, provider=provider))  # the spec's tls and proxy, passed on to httpx
    return (
        ollama.Client(**merged_client_kwargs(kwargs, client_kwargs, sync_client_kwargs)),
        ollama.AsyncClient(**merged_client_kwargs(kwargs, client_kwargs, async_client_kwargs)),
    )
