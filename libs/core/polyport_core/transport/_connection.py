"""httpx client keywords for one provider's connections: the spec's ``tls`` section and ``proxy``.

Every transport (the vendor SDKs' clients, ollama's, plain httpx, model listing,
usage fetches) builds its client from ``http_options``, so a provider file's
TLS and proxy settings reach each of them the same way.

A ``proxy`` is explicit: httpx then ignores ``HTTP_PROXY``/``HTTPS_PROXY``/
``ALL_PROXY`` and ``NO_PROXY``. Without one, those variables apply as httpx reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from polyport_core.errors import InvalidConfigError
from polyport_core.transport._tls import tls_verify

if TYPE_CHECKING:
    from polyport_core.spec import TLSSpec

__all__ = ["http_options", "model_http_options"]


def http_options(
    tls: TLSSpec | None,
    proxy: str | None = None,
    *,
    provider: str | None = None,
    own_clients: bool = False,
    proxy_name: str = "proxy",
) -> dict[str, Any]:
    """``verify=`` (from ``tls``) and ``proxy=`` for an httpx client, only where they differ from
    httpx's defaults: an empty dict means an SDK may keep its own default client.

    ``own_clients``: the caller handed the model its own HTTP clients, which a proxy cannot
    reach; ``InvalidConfigError`` naming ``proxy_name`` (never the URL) instead of dropping it.
    """
    if proxy and own_clients:
        raise InvalidConfigError(
            f"{proxy_name} cannot be combined with http_client/http_async_client; set the proxy on those clients",
            provider=provider,
        )
    options: dict[str, Any] = {}
    verify = tls_verify(tls, provider=provider)
    if verify is not True:
        options["verify"] = verify
    if proxy:
        options["proxy"] = str.__str__(proxy)  # a plain str (a masked-URL field is a str subclass)
    return options


def model_http_options(model: Any, proxy_field: str) -> dict[str, Any]:
    """``http_options`` of an SDK-backed model: its ``tls``, and its proxy (the langchain-named field
    ``proxy_field``, e.g. ``openai_proxy``, when set; else ``proxy``, a provider file's), refused
    beside the caller's own ``http_client``/``http_async_client``."""
    own_proxy = getattr(model, proxy_field, None)
    own_clients = any(getattr(model, name, None) is not None for name in ("http_client", "http_async_client"))
    return http_options(
        model.tls,
        own_proxy or model.proxy,
        provider=model.provider,
        own_clients=own_clients,
        proxy_name=proxy_field if own_proxy else "the provider's proxy",
    )
