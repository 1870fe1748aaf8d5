"""A signed-in person's tokens for a provider: loaded from the secret store, renewed with the
refresh-token grant (Authlib's OAuth2 client) and saved back, so the next process starts fresh."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from polyport_core.auth._refresh import AccessToken
from polyport_core.auth._store import SecretStore
from polyport_core.auth._tokens import StoredCredential, load_credential, save_credential
from polyport_core.errors import AuthenticationError, ProviderUnavailableError
from polyport_core.redaction import redact_url, remember_secrets
from polyport_core.spec import AuthSpec

__all__ = ["UserTokenSource", "login_hint", "oauth_client", "token_record", "transport_errors"]


def transport_errors() -> tuple[type[Exception], ...]:
    """What Authlib's client raises when the server cannot be reached or answers badly.

    Authlib's httpx integration runs on ``httpx2`` when it is installed (the openai and
    anthropic SDKs bring it), else on ``httpx``: both families are caught.
    """
    errors: list[type[Exception]] = [httpx.HTTPError, ValueError]
    try:
        import httpx2
    except ImportError:
        return tuple(errors)
    return (*errors, httpx2.HTTPError)


def login_hint(provider: str, profile: str) -> str:
    """The command that signs in again."""
    suffix = "" if profile == "default" else f" --profile {profile}"
    return f"run `polyport auth login {provider}{suffix}`"


def oauth_client(
    spec: AuthSpec,
    client_secret: SecretStr | None,
    *,
    transport: Any = None,
    proxy: str | None = None,
    **kwargs: Any,
) -> Any:
    """Authlib's httpx ``OAuth2Client`` for the provider's endpoints (PKCE S256 when asked).

    ``transport`` (tests) must be of the HTTP library Authlib runs on (``httpx2`` when installed);
    ``proxy``: the provider file's, when no transport is given.
    """
    from authlib.integrations.httpx_client import OAuth2Client

    secret = client_secret.get_secret_value() if client_secret is not None else None
    options: dict[str, Any] = {"transport": transport} if transport is not None else {}
    if proxy and transport is None:
        options["proxy"] = proxy
    return OAuth2Client(
        client_id=spec.client_id,
        client_secret=secret,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        scope=" ".join(spec.scopes) or None,
        timeout=30.0,
        **options,
        **kwargs,
    )


def token_record(
    payload: dict[str, Any],
    *,
    provider: str,
    profile: str,
    grant: str,
    now: float,
    previous: StoredCredential | None = None,
) -> StoredCredential:
    """A ``StoredCredential`` from a token endpoint's JSON (RFC 6749 §5.1)."""
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise AuthenticationError("the token endpoint answered without an access_token", provider=provider)
    refresh = payload.get("refresh_token")
    if not refresh and previous is not None and previous.refresh_token is not None:
        refresh = previous.refresh_token.get_secret_value()  # no rotation: the old one stays valid
    remember_secrets(access, refresh)
    expires_in = payload.get("expires_in")
    identity = _identity(payload.get("id_token")) or (previous.identity if previous else None)
    return StoredCredential(
        kind="oauth",
        provider=provider,
        profile=profile,
        grant=grant,
        access_token=SecretStr(access),
        refresh_token=SecretStr(str(refresh)) if refresh else None,
        expires_at=now + float(expires_in) if expires_in else None,
        scope=payload.get("scope") or (previous.scope if previous else None),
        identity=identity,
        obtained_at=now,
    )


def _identity(id_token: Any) -> str | None:
    """``email`` or ``sub`` of an OpenID id token, for display only (its signature is not checked)."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return None
    import base64
    import json

    body = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(claims, dict):
        return None
    value = claims.get("email") or claims.get("preferred_username") or claims.get("sub")
    return str(value) if value else None


class UserTokenSource:
    """Tokens of a person signed in with ``polyport auth login``, renewed with the refresh token."""

    def __init__(
        self,
        spec: AuthSpec,
        client_secret: SecretStr | None,
        *,
        provider: str,
        profile: str,
        store: SecretStore,
        clock: Callable[[], float] = time.time,
        transport: Any = None,
        proxy: str | None = None,
    ) -> None:
        self._spec = spec
        self._proxy = proxy
        self._secret = client_secret
        self.provider = provider
        self.profile = profile
        self._store = store
        self._clock = clock
        self._transport = transport
        self._refused: tuple[str, AuthenticationError] | None = None

    def saved(self) -> StoredCredential:
        """The saved record; a clear 'sign in' error when there is none."""
        record = load_credential(self._store, self.provider, self.profile)
        if record is None or record.kind != "oauth":
            raise AuthenticationError(
                f"not signed in to {self.provider} (profile {self.profile}): {login_hint(self.provider, self.profile)}",
                provider=self.provider,
            )
        return record

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        """The saved token while valid (another process may have renewed it), else a refreshed one."""
        record = self.saved()
        fresh_enough = record.expires_at is None or self._clock() < record.expires_at - 60.0
        if fresh_enough and (stale is None or record.access_token.get_secret_value() != stale.value.get_secret_value()):
            return AccessToken(record.access_token, record.expires_at)
        refresh = record.refresh_token.get_secret_value() if record.refresh_token is not None else ""
        if self._refused is not None and self._refused[0] == refresh:
            raise self._refused[1]  # the server already refused this refresh token: only a new sign-in helps
        try:
            renewed = self._refresh(record)
        except AuthenticationError as exc:
            self._refused = (refresh, exc)
            raise
        save_credential(self._store, renewed)
        return AccessToken(renewed.access_token, renewed.expires_at)

    def _refresh(self, record: StoredCredential) -> StoredCredential:
        from authlib.integrations.base_client import OAuthError

        hint = login_hint(self.provider, self.profile)
        if record.refresh_token is None:
            raise AuthenticationError(
                f"the sign-in to {self.provider} (profile {self.profile}) has expired and cannot be renewed: {hint}",
                provider=self.provider,
            )
        assert self._spec.token_url is not None
        where = redact_url(self._spec.token_url)
        try:
            with oauth_client(self._spec, self._secret, transport=self._transport, proxy=self._proxy) as client:
                payload = client.refresh_token(
                    self._spec.token_url, refresh_token=record.refresh_token.get_secret_value()
                )
        except OAuthError as exc:
            raise AuthenticationError(
                f"{where} refused to renew the sign-in to {self.provider} (profile {self.profile}, "
                f"{exc.error}): {hint}",
                provider=self.provider,
            ) from None
        except transport_errors() as exc:
            raise ProviderUnavailableError(
                f"OAuth2 token endpoint {where} failed to renew the sign-in: {type(exc).__name__}",
                provider=self.provider,
            ) from None
        return token_record(
            dict(payload),
            provider=self.provider,
            profile=self.profile,
            grant=record.grant,
            now=self._clock(),
            previous=record,
        )
