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
from polyport_core.auth._refresh import RefreshingBearer
from polyport_core.auth._secrets import resolve_secret
from polyport_core.auth._tokens import DEFAULT_PROFILE
from polyport_core.errors import InvalidConfigError
from polyport_core.redaction import remember_secrets
from polyport_core.spec import AuthSpec, variable_label

__all__ = ["PROFILE_ENV", "AuthMaterial", "build_auth", "choose_profile", "load_token_provider"]

PROFILE_ENV = "POLYPORT_AUTH_PROFILE"
_OAUTH_CACHE: dict[tuple[str, str, str, str], OAuth2ClientCredentials] = {}
_SIGNED_IN: dict[tuple[str, str, str, str, str], RefreshingBearer] = {}


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
    profile: str | None = None
    """The saved credential profile used (None: the spec's own key, no profile)."""

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


def choose_profile(spec: AuthSpec, explicit: str | None, env: Mapping[str, str]) -> str | None:
    """The credential profile in force: ``auth_profile=``, else ``$POLYPORT_AUTH_PROFILE``, else the
    spec's ``auth.profile``; None when nobody chose one (sign-ins then use ``default``)."""
    return explicit or env.get(PROFILE_ENV) or spec.profile or None


def build_auth(
    spec: AuthSpec,
    *,
    provider: str,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    profile: str | None = None,
    saved: bool = True,
    proxy: str | None = None,
) -> AuthMaterial:
    """Resolve the spec's secrets now (env, keyring, OAuth2 fetch, saved sign-in) into ``AuthMaterial``.

    ``profile`` (or ``$POLYPORT_AUTH_PROFILE``, or ``auth.profile``) picks a credential saved
    with ``polyport auth login``; ``saved=False`` (a key given by the caller) skips saved keys
    and only labels the calls with the profile. Every resolved value is registered with the
    redactor before it leaves here. ``proxy`` (a provider file's) carries OAuth2 token requests
    (client credentials, and the renewal of a saved sign-in).
    """
    environ = os.environ if env is None else env
    chosen = choose_profile(spec, profile, environ)
    if spec.type in ("oauth2_pkce", "oauth2_device"):
        material = _signed_in(spec, provider, chosen or DEFAULT_PROFILE, environ, transport, proxy)
    else:
        stored = None
        if saved and chosen is not None and spec.type in _KEYED:
            # a profile named in the call or the spec must exist; one from the environment may not
            stored = _saved_key(provider, chosen, environ, required=bool(profile or spec.profile))
        material = stored or _build(spec, provider, environ, transport, proxy)
        material.profile = material.profile or chosen
    remember_secrets(material.api_key, *material.headers.values(), *material.query.values())
    for value in material.headers.values():
        remember_secrets(*value.split()[1:])  # "Bearer <token>": the token alone too
    return material


def _build(
    spec: AuthSpec,
    provider: str,
    environ: Mapping[str, str],
    transport: httpx.BaseTransport | None,
    proxy: str | None = None,
) -> AuthMaterial:
    if spec.type == "none":
        return AuthMaterial()
    if spec.type == "oauth2_client_credentials":
        return _oauth(spec, provider, environ, transport, proxy)
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
    spec: AuthSpec,
    provider: str,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None,
    proxy: str | None = None,
) -> AuthMaterial:
    assert spec.token_url is not None
    assert spec.client_id is not None
    secret = spec.client_secret or (
        SecretStr(f"env:{spec.client_secret_env}") if spec.client_secret_env else None
    )
    resolved = resolve_secret(secret, env=env, provider=provider, field="auth.client_secret")
    assert resolved is not None
    cache_key = (spec.token_url, spec.client_id, " ".join(spec.scopes), proxy or "")
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
            proxy=proxy,
        )
        if transport is None:
            _OAUTH_CACHE[cache_key] = auth
    return AuthMaterial(api_key=auth.token(), httpx_auth=auth)


_KEYED = ("bearer", "header", "query")


def _signed_in(
    spec: AuthSpec,
    provider: str,
    profile: str,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None,
    proxy: str | None = None,
) -> AuthMaterial:
    """A person's saved sign-in (``polyport auth login``), renewed by itself for the model's life."""
    from polyport_core.auth._session import UserTokenSource
    from polyport_core.auth._store import default_store

    assert spec.token_url is not None
    assert spec.client_id is not None
    key = (provider, profile, spec.token_url, spec.client_id, proxy or "")
    auth = _SIGNED_IN.get(key) if transport is None else None
    if auth is None:
        secret = _client_secret(spec, provider, env)
        source = UserTokenSource(
            spec,
            secret,
            provider=provider,
            profile=profile,
            store=default_store(env),
            transport=transport,
            proxy=proxy,
        )
        auth = RefreshingBearer(source)
        if transport is None:
            _SIGNED_IN[key] = auth
    return AuthMaterial(api_key=auth.token(), httpx_auth=auth, profile=profile)


def _saved_key(provider: str, profile: str, env: Mapping[str, str], *, required: bool) -> AuthMaterial | None:
    """An API key saved under ``profile`` (``polyport auth login PROVIDER --api-key --profile NAME``)."""
    from polyport_core.auth._session import login_hint
    from polyport_core.auth._store import SecretStoreError, default_store
    from polyport_core.auth._tokens import load_credential

    try:
        record = load_credential(default_store(env), provider, profile)
    except SecretStoreError:
        if required:
            raise
        record = None
    if record is None:
        if not required:
            return None
        raise InvalidConfigError(
            f"no credential saved for {provider} under profile {profile!r}: "
            f"{login_hint(provider, profile)} (add --api-key for a key)",
            provider=provider,
        )
    return AuthMaterial(api_key=record.access_token, profile=profile)


def _client_secret(spec: AuthSpec, provider: str, env: Mapping[str, str]) -> SecretStr | None:
    secret = spec.client_secret or (SecretStr(f"env:{spec.client_secret_env}") if spec.client_secret_env else None)
    return resolve_secret(secret, env=env, provider=provider, field="auth.client_secret")
