"""Turn an ``AuthSpec`` into what an engine needs: a key, extra headers, query params."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from polyport_core.auth._oauth import OAuth2ClientCredentials, TokenProviderAuth
from polyport_core.auth._secrets import resolve_secret
from polyport_core.errors import InvalidConfigError
from polyport_core.redaction import remember_secrets
from polyport_core.spec import AuthSpec, variable_label

__all__ = ["AuthMaterial", "build_auth", "load_token_provider"]

_OAUTH_CACHE: dict[tuple[str, str, str], OAuth2ClientCredentials] = {}


@dataclass
class AuthMaterial:
    """Resolved credentials: ``api_key`` for SDKs that take one, plus headers/query to add.

    ``headers`` and ``query`` values may contain the secret; they are meant to be
    handed to the engine, never logged. ``httpx_auth`` refreshes tokens per request.
    """

    api_key: SecretStr | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    httpx_auth: httpx.Auth | None = None
    secret_names: list[str] = field(default_factory=list)

    def secrets(self) -> list[str]:
        """Raw secret values, for redacting them from messages."""
        return [self.api_key.get_secret_value()] if self.api_key else []


def load_token_provider(path: str, *, provider: str | None = None) -> Callable[[], str | SecretStr]:
    """Import ``module:callable``; a factory returning a callable is called once."""
    module_name, _, attr = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise InvalidConfigError(
            f"auth.token_provider: cannot import {path!r} ({type(exc).__name__})", provider=provider
        ) from None
    if not callable(target):
        raise InvalidConfigError(f"auth.token_provider: {path!r} is not callable", provider=provider)
    result: Callable[[], str | SecretStr] = target
    return result


def build_auth(
    spec: AuthSpec,
    *,
    provider: str,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> AuthMaterial:
    """Resolve the spec's secrets now (env, keyring, OAuth2 fetch) into ``AuthMaterial``.

    Every resolved value is registered with the redactor before it leaves here.
    """
    material = _build(spec, provider, os.environ if env is None else env, transport)
    remember_secrets(material.api_key, *material.headers.values(), *material.query.values())
    for value in material.headers.values():
        remember_secrets(*value.split()[1:])  # "Bearer <token>": the token alone too
    return material


def _build(
    spec: AuthSpec, provider: str, environ: Mapping[str, str], transport: httpx.BaseTransport | None
) -> AuthMaterial:
    if spec.type == "none":
        return AuthMaterial()
    if spec.type == "oauth2_client_credentials":
        return _oauth(spec, provider, environ, transport)
    if spec.type == "token_provider":
        assert spec.token_provider is not None
        auth = TokenProviderAuth(load_token_provider(spec.token_provider, provider=provider))
        return AuthMaterial(api_key=auth.token(), httpx_auth=auth)
    key = _api_key(spec, provider, environ)
    if key is None:
        return AuthMaterial()
    raw = key.get_secret_value()
    if spec.type == "query":
        assert spec.query_param is not None
        return AuthMaterial(api_key=key, query={spec.query_param: raw}, secret_names=[spec.query_param])
    if spec.type == "header" or spec.header_value is not None or spec.header_name:
        name = spec.header_name or "Authorization"
        if spec.header_value is not None:
            value = spec.header_value.get_secret_value().replace("{api_key}", raw)
            secret = resolve_secret(value, env=environ, provider=provider, field="auth.header_value")
            value = secret.get_secret_value() if secret else ""
        else:
            value = f"{spec.prefix or ''}{raw}"
        return AuthMaterial(api_key=key, headers={name: value})
    if spec.prefix not in (None, "Bearer ", "Bearer"):
        return AuthMaterial(api_key=key, headers={"Authorization": f"{spec.prefix}{raw}"})
    return AuthMaterial(api_key=key)


def _api_key(spec: AuthSpec, provider: str, env: Mapping[str, str]) -> SecretStr | None:
    if spec.api_key is not None:
        return resolve_secret(spec.api_key, env=env, provider=provider)
    if spec.api_key_env:
        value = env.get(spec.api_key_env)
        if value:
            return SecretStr(value)
        if spec.required:
            raise InvalidConfigError(
                f"no API key: set the environment variable {variable_label(spec.api_key_env)}",
                provider=provider,
            )
        return None
    if spec.header_value is not None and "{api_key}" not in spec.header_value.get_secret_value():
        # goose style: the whole header value is the template, e.g. "Bearer ${KEY}".
        return resolve_secret(spec.header_value, env=env, provider=provider, field="auth.header_value")
    if spec.required:
        raise InvalidConfigError("no API key: set auth.api_key_env or auth.api_key", provider=provider)
    return None


def _oauth(
    spec: AuthSpec, provider: str, env: Mapping[str, str], transport: httpx.BaseTransport | None
) -> AuthMaterial:
    assert spec.token_url is not None
    assert spec.client_id is not None
    secret = spec.client_secret or (
        SecretStr(f"env:{spec.client_secret_env}") if spec.client_secret_env else None
    )
    resolved = resolve_secret(secret, env=env, provider=provider, field="auth.client_secret")
    assert resolved is not None
    cache_key = (spec.token_url, spec.client_id, " ".join(spec.scopes))
    auth = _OAUTH_CACHE.get(cache_key) if transport is None else None
    if auth is None:
        auth = OAuth2ClientCredentials(
            spec.token_url,
            spec.client_id,
            resolved,
            scopes=spec.scopes,
            audience=spec.audience,
            transport=transport,
            provider=provider,
        )
        if transport is None:
            _OAUTH_CACHE[cache_key] = auth
    return AuthMaterial(api_key=auth.token(), httpx_auth=auth)
