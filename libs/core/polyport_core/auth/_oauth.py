"""OAuth2 client-credentials tokens, cached and refreshed shortly before they expire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx
from pydantic import SecretStr

from polyport_core.errors import AuthenticationError, ProviderUnavailableError
from polyport_core.redaction import install_log_redaction, redact_url, remember_secrets

__all__ = ["OAuth2ClientCredentials", "TokenProviderAuth"]


class OAuth2ClientCredentials(httpx.Auth):
    """Fetches a bearer token with the client-credentials grant and caches it.

    Thread-safe; the token is refreshed ``refresh_margin`` seconds before
    ``expires_in`` runs out, so a long-lived model never sends a stale token.
    Also usable directly as an ``httpx.Auth``.
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
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        remember_secrets(client_secret)
        install_log_redaction()
        self.scopes = scopes or []
        self.audience = audience
        self.refresh_margin = refresh_margin
        self._timeout = timeout
        self._transport = transport
        self._clock = clock
        self._provider = provider
        self._lock = threading.Lock()
        self._token: SecretStr | None = None
        self._expires_at = 0.0
        self.fetches = 0
        """How many times a token was fetched (observability, tests)."""

    def token(self) -> SecretStr:
        """A valid access token, fetched or refreshed when needed."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self.refresh_margin:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (e.g. after the server answered 401)."""
        with self._lock:
            self._token = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """httpx hook: add the bearer token, retry once with a fresh token on 401."""
        request.headers["Authorization"] = f"Bearer {self.token().get_secret_value()}"
        response = yield request
        if response.status_code == 401:
            self.invalidate()
            request.headers["Authorization"] = f"Bearer {self.token().get_secret_value()}"
            yield request

    def _fetch(self) -> None:
        data: dict[str, Any] = {"grant_type": "client_credentials"}
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        if self.audience:
            data["audience"] = self.audience
        where = redact_url(self.token_url)
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as client:
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
        self._token = SecretStr(token)
        self._expires_at = self._clock() + expires_in
        self.fetches += 1


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
