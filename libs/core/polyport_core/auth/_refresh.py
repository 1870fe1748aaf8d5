"""Bearer tokens that renew themselves: shortly before expiry, and once when the server answers 401.

``RefreshingBearer`` is an ``httpx.Auth``: installed on an HTTP client (plain httpx, or the
``httpx2`` client inside the openai/anthropic SDKs through ``for_client``) it covers sync,
async and streaming calls alike without rebuilding the model. One lock makes concurrent
calls share one renewal; async callers renew in a worker thread so the loop never blocks.
Every token it hands out is registered so the SDK transport can find the refresher behind
the key a model was built with (``refresher_for``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from polyport_core.auth._issued import ISSUED as _ISSUED
from polyport_core.auth._issued import ISSUED_LOCK as _ISSUED_LOCK
from polyport_core.auth._issued import refresher_for
from polyport_core.redaction import install_log_redaction, remember_secrets

__all__ = ["AccessToken", "RefreshingBearer", "TokenSource", "for_client", "refresher_for"]

_KEEP_ISSUED = 32


@dataclass(frozen=True)
class AccessToken:
    """An access token and when it stops being valid (in the refresher's clock; None: unknown)."""

    value: SecretStr
    expires_at: float | None = None


class TokenSource(Protocol):
    """Where fresh tokens come from (a client-credentials fetch, a refresh-token grant, …)."""

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        """A valid token; ``stale`` is the one being replaced (None the first time)."""


class RefreshingBearer(httpx.Auth):
    """Adds a bearer token to each request and keeps it fresh.

    The token is renewed ``refresh_margin`` seconds before it expires and, once per
    request, after a 401 (only if no other call renewed it meanwhile). A header the client
    already filled with a token this refresher issued (``Authorization: Bearer …``,
    ``x-api-key: …``) gets the current token; otherwise ``Authorization: Bearer`` is set.
    """

    def __init__(
        self,
        source: TokenSource,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 60.0,
        initial: AccessToken | None = None,
    ) -> None:
        self._source = source
        self._clock = clock
        self.refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._issued: deque[str] = deque(maxlen=_KEEP_ISSUED)
        self.renewals = 0
        """How many times a token was obtained from the source (observability, tests)."""
        install_log_redaction()
        if initial is not None:
            self._adopt(initial)

    # ------------------------------------------------------------ tokens
    @property
    def current(self) -> AccessToken | None:
        """The token held now (possibly due for renewal), without contacting anyone."""
        return self._token

    def token(self) -> SecretStr:
        """A valid access token, renewed when due. Blocking (it may call the token endpoint)."""
        held = self._token
        if held is not None and not self._due(held):
            return held.value
        with self._lock:
            held = self._token
            if held is None or self._due(held):
                held = self._renew(held)
            return held.value

    async def atoken(self) -> SecretStr:
        """``token()`` for async callers: a renewal runs in a worker thread."""
        held = self._token
        if held is not None and not self._due(held):
            return held.value
        return await asyncio.to_thread(self.token)

    def invalidate(self) -> None:
        """Forget the held token: the next request obtains a new one."""
        with self._lock:
            self._token = None

    def renew_rejected(self, rejected: str) -> SecretStr:
        """A new token after the server refused ``rejected``; shared when another call already renewed it."""
        with self._lock:
            held = self._token
            if held is None or held.value.get_secret_value() == rejected:
                held = self._renew(held)
            return held.value

    def _due(self, token: AccessToken) -> bool:
        return token.expires_at is not None and self._clock() >= token.expires_at - self.refresh_margin

    def _renew(self, stale: AccessToken | None) -> AccessToken:
        fresh = self._source.obtain(stale)
        self.renewals += 1
        self._adopt(fresh)
        return fresh

    def _adopt(self, token: AccessToken) -> None:
        raw = token.value.get_secret_value()
        remember_secrets(raw)
        with _ISSUED_LOCK:
            if len(self._issued) == self._issued.maxlen:
                _ISSUED.pop(self._issued[0], None)
            self._issued.append(raw)
            _ISSUED[raw] = self
        self._token = token

    # ------------------------------------------------------------ httpx
    def _apply(self, request: Any, token: str) -> None:
        """Put ``token`` where the client placed an older one; else in ``Authorization: Bearer``."""
        placed = False
        issued = list(self._issued)
        for name, value in list(request.headers.items()):
            updated = value
            for old in issued:
                if old != token and old in updated:
                    updated = updated.replace(old, token)
            if updated != value:
                request.headers[name] = updated
            placed = placed or token in updated
        if not placed:
            request.headers["Authorization"] = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """httpx hook (sync and streaming): add the token; on 401 renew once and resend."""
        token = self.token().get_secret_value()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            self._apply(request, self.renew_rejected(token).get_secret_value())
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """httpx hook (async and streaming): as ``auth_flow``, renewing in a worker thread."""
        token = (await self.atoken()).get_secret_value()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            fresh = await asyncio.to_thread(self.renew_rejected, token)
            self._apply(request, fresh.get_secret_value())
            yield request


_BRIDGE: type[Any] | None = None


def _httpx2_bridge() -> type[Any]:
    """An ``httpx2.Auth`` class that runs an ``httpx.Auth``'s flows (same request/response API)."""
    global _BRIDGE
    if _BRIDGE is None:
        import httpx2

        class _Bridged(httpx2.Auth):
            def __init__(self, inner: httpx.Auth) -> None:
                self.inner = inner

            def sync_auth_flow(self, request: Any) -> Any:
                return self.inner.sync_auth_flow(request)

            def async_auth_flow(self, request: Any) -> Any:
                return self.inner.async_auth_flow(request)

        _BRIDGE = _Bridged
    return _BRIDGE


def for_client(auth: httpx.Auth, client: Any) -> Any:
    """``auth`` in the flavour ``client`` takes: itself for httpx clients, a bridge for httpx2 ones."""
    if isinstance(client, httpx.Client | httpx.AsyncClient):
        return auth
    return _httpx2_bridge()(auth)
