"""OAuth2 client-credentials tokens (renewed before expiry and after a 401) and token-provider callables."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

import httpx
from pydantic import SecretStr

from polyport_core.auth._refresh import AccessToken, RefreshingBearer
from polyport_core.errors import AuthenticationError, ProviderUnavailableError
from polyport_core.redaction import redact_url, remember_secrets

__all__ = ["OAuth2ClientCredentials", "TokenProviderAuth"]


class OAuth2ClientCredentials(RefreshingBearer):
    """Bearer tokens from the client-credentials grant, renewed before they expire and after a 401.

    Thread-safe; concurrent calls share one renewal. The token is renewed
    ``refresh_margin`` seconds before ``expires_in`` runs out, so a long-lived model never
    sends a stale token. An ``httpx.Auth``; SDK clients get it through ``for_client``.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        scopes: list[str] | None = None,
        audience: str | None = None,
        refresh_margin: float = 60.0,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        provider: str | None = None,
        proxy: str | None = None,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        remember_secrets(client_secret)
        self.scopes = scopes or []
        self.audience = audience
        self._timeout = timeout
        self._transport = transport
        self._provider = provider
        # the provider file's proxy reaches the token endpoint too (a given transport, in tests, decides alone)
        self._client_options: dict[str, Any] = {"proxy": proxy} if proxy and transport is None else {}
        super().__init__(_ClientCredentialsSource(self, clock), clock=clock, refresh_margin=refresh_margin)

    @property
    def fetches(self) -> int:
        """How many times a token was fetched (observability, tests)."""
        return self.renewals

    def _fetch(self, clock: Callable[[], float]) -> AccessToken:
        data: dict[str, Any] = {"grant_type": "client_credentials"}
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        if self.audience:
            data["audience"] = self.audience
        where = redact_url(self.token_url)
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport, **self._client_options) as client:
                response = client.post(
                    self.token_url,
                    data=data,
                    auth=(self.client_id, self._client_secret.get_secret_value()),
                    headers={"Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailableError(
                f"OAuth2 token endpoint {where} unreachable: {type(exc).__name__}", provider=self._provider
            ) from None
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                f"OAuth2 token endpoint {where} refused the client credentials",
                provider=self._provider,
                status_code=response.status_code,
            )
        if response.status_code >= 300:
            raise ProviderUnavailableError(
                f"OAuth2 token endpoint {where} failed",
                provider=self._provider,
                status_code=response.status_code,
            )
        try:
            payload = response.json()
            token = str(payload["access_token"])
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                f"OAuth2 token endpoint {where} returned no access_token", provider=self._provider
            ) from None
        expires_in = float(payload.get("expires_in") or 3600)
        remember_secrets(token)
        return AccessToken(SecretStr(token), clock() + expires_in)


class _ClientCredentialsSource:
    """A new client-credentials token each time one is due (there is no refresh token)."""

    def __init__(self, owner: OAuth2ClientCredentials, clock: Callable[[], float]) -> None:
        self._owner = owner
        self._clock = clock

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        return self._owner._fetch(self._clock)


class TokenProviderAuth(httpx.Auth):
    """Bearer tokens from a callable (Azure AD style ``get_bearer_token_provider``)."""

    def __init__(self, provider: Callable[[], str | SecretStr]) -> None:
        self._provider = provider

    def token(self) -> SecretStr:
        """The callable's current token (it does its own caching)."""
        value = self._provider()
        token = value if isinstance(value, SecretStr) else SecretStr(str(value))
        remember_secrets(token)
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """httpx hook: add the bearer token."""
        request.headers["Authorization"] = f"Bearer {self.token().get_secret_value()}"
        yield request
