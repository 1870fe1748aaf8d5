"""What a sign-in leaves behind: a token record per provider and profile, kept in the secret store.

Records are JSON inside the store (keyring or encrypted file), never in the provider
file. ``describe`` is what the CLI may show: identity, profile, expiry — never a token.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, SecretStr, ValidationError

from polyport_core.auth._store import SecretStore, SecretStoreError
from polyport_core.redaction import remember_secrets

__all__ = [
    "DEFAULT_PROFILE",
    "StoredCredential",
    "credential_key",
    "load_credential",
    "parse_key",
    "save_credential",
]

DEFAULT_PROFILE = "default"
_PREFIX = "cred"


class StoredCredential(BaseModel):
    """One saved credential: an OAuth token set (``oauth``) or an API key (``api_key``)."""

    kind: Literal["oauth", "api_key"]
    provider: str
    profile: str = DEFAULT_PROFILE
    grant: str = ""
    """How it was obtained: ``pkce``, ``device``, ``api_key``."""
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: float | None = None
    """Seconds since the epoch; None when the server did not say."""
    scope: str | None = None
    identity: str | None = None
    """Who signed in, when the server said (id token ``email``/``sub``); shown by ``auth list``."""
    obtained_at: float = 0.0

    def dumps(self) -> SecretStr:
        """The record as JSON, secrets included (only ever handed to a ``SecretStore``)."""
        data: dict[str, Any] = self.model_dump(mode="python")
        data["access_token"] = self.access_token.get_secret_value()
        data["refresh_token"] = self.refresh_token.get_secret_value() if self.refresh_token else None
        return SecretStr(json.dumps(data))

    def describe(self) -> dict[str, Any]:
        """Display fields: never a token."""
        return {
            "provider": self.provider,
            "profile": self.profile,
            "kind": self.kind,
            "grant": self.grant,
            "identity": self.identity,
            "scope": self.scope,
            "expires_at": self.expires_at,
            "refreshable": self.refresh_token is not None,
        }


def credential_key(provider: str, profile: str = DEFAULT_PROFILE) -> str:
    """The store key of a provider's credential under ``profile``."""
    return f"{_PREFIX}:{provider}:{profile}"


def parse_key(key: str) -> tuple[str, str] | None:
    """``(provider, profile)`` of a store key written by ``credential_key``; None for other keys."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != _PREFIX:
        return None
    return parts[1], parts[2]


def load_credential(store: SecretStore, provider: str, profile: str = DEFAULT_PROFILE) -> StoredCredential | None:
    """The saved credential, or None; a damaged record is a ``SecretStoreError`` naming it."""
    raw = store.get(credential_key(provider, profile))
    if raw is None:
        return None
    try:
        record = StoredCredential.model_validate_json(raw.get_secret_value())
    except ValidationError:
        raise SecretStoreError(
            f"the saved credential for {provider} (profile {profile}) in the {store.name} store is damaged; "
            f"run `polyport auth login {provider}` again",
            provider=provider,
        ) from None
    remember_secrets(record.access_token, record.refresh_token)
    return record


def save_credential(store: SecretStore, record: StoredCredential) -> None:
    """Save ``record`` under its provider and profile (replacing an older one)."""
    remember_secrets(record.access_token, record.refresh_token)
    store.set(credential_key(record.provider, record.profile), record.dumps())
