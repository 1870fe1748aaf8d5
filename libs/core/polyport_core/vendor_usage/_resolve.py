"""Which usage endpoint a provider has, with which key, and the call that reads it."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from polyport_core.auth import build_auth, protect
from polyport_core.errors import InvalidConfigError
from polyport_core.spec import ProviderSpec, UsageEndpointSpec
from polyport_core.transport import http_options
from polyport_core.vendor_usage._fetchers import FETCHERS
from polyport_core.vendor_usage._types import VendorUsage

__all__ = ["fetch_vendor_usage", "usage_endpoint"]

_HOSTS = {
    "api.openai.com": "openai_admin",
    "api.anthropic.com": "anthropic_admin",
    "openrouter.ai": "openrouter",
    "api.deepseek.com": "deepseek",
}
_DEFAULT_BASE = {
    "openai_admin": "https://api.openai.com",
    "anthropic_admin": "https://api.anthropic.com",
    "openrouter": "https://openrouter.ai",
    "deepseek": "https://api.deepseek.com",
}
_ADMIN_KEY_ENV = {"openai_admin": "OPENAI_ADMIN_KEY", "anthropic_admin": "ANTHROPIC_ADMIN_KEY"}
ANTHROPIC_VERSION = "2023-06-01"


def usage_endpoint(spec: ProviderSpec) -> UsageEndpointSpec | None:
    """The spec's ``usage`` section, else the known vendor its ``base_url`` points at, else None."""
    if spec.usage is not None:
        return spec.usage
    kind = _HOSTS.get(urlsplit(spec.base_url).hostname or "")
    return UsageEndpointSpec(kind=kind) if kind else None  # type: ignore[arg-type]


def fetch_vendor_usage(
    spec: ProviderSpec,
    since: float,
    until: float | None = None,
    *,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> VendorUsage:
    """The vendor's own usage and spend for ``[since, until)`` (until: now)."""
    environ = os.environ if env is None else env
    endpoint = usage_endpoint(spec)
    if endpoint is None:
        raise InvalidConfigError(
            f"{spec.source or spec.id} names no usage endpoint: add a 'usage' section "
            "(kind: openai_admin, anthropic_admin, openrouter, deepseek or http with url and paths)",
            provider=spec.id,
        )
    headers, query = _credentials(spec, endpoint, environ)
    base = (endpoint.url or _DEFAULT_BASE.get(endpoint.kind, "")).rstrip("/")
    # the provider's tls and proxy, as on its model calls (a given transport, in tests, is used as is)
    options = http_options(spec.tls, spec.proxy, provider=spec.id) if transport is None else {}
    with httpx.Client(headers=headers, params=query, timeout=30.0, transport=transport, **options) as client:
        return FETCHERS[endpoint.kind](client, endpoint, spec.id, base, since, time.time() if until is None else until)


def _credentials(
    spec: ProviderSpec, endpoint: UsageEndpointSpec, env: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters that authenticate the usage request."""
    key_env = endpoint.key_env or _ADMIN_KEY_ENV.get(endpoint.kind)
    if key_env is not None:
        key = env.get(key_env)
        if not key:
            admin = (
                " (an admin key: the usage API does not take a project key)" if endpoint.kind in _ADMIN_KEY_ENV else ""
            )
            raise InvalidConfigError(f"no usage key: set {key_env}{admin}", provider=spec.id)
        protect(key)
        if endpoint.kind == "anthropic_admin":
            return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}, {}
        return {"Authorization": f"Bearer {key}"}, {}
    material = build_auth(spec.auth, provider=spec.id, env=env, proxy=spec.proxy)
    headers = dict(material.headers)
    if material.api_key is not None and not headers and not material.query:
        headers["Authorization"] = f"Bearer {material.api_key.get_secret_value()}"
    return headers, dict(material.query)
