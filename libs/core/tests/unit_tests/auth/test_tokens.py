"""Saved credential records: what a token answer becomes, what ``describe`` may show, damage is clear."""

from __future__ import annotations

import base64
import json

import pytest
from polyport_core.auth import StoredCredential, credential_key, load_credential, parse_key, save_credential
from polyport_core.auth._session import token_record
from polyport_core.auth._store import SecretStoreError
from polyport_core.errors import AuthenticationError
from polyport_core.testing.keyring_backend import memory_keyring
from pydantic import SecretStr


def _id_token(claims: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


def test_a_token_answer_becomes_a_record_with_identity_and_expiry() -> None:
    payload = {
        "access_token": "at-0123456789abcdef",
        "refresh_token": "rt-0123456789abcdef",
        "expires_in": 3600,
        "scope": "chat",
        "id_token": _id_token({"sub": "u-1", "email": "ada@example.test"}),
    }
    record = token_record(payload, provider="acme", profile="work", grant="pkce", now=1000.0)
    assert record.expires_at == 4600.0
    assert record.identity == "ada@example.test"
    shown = json.dumps(record.describe())
    assert "at-0123456789abcdef" not in shown
    assert "rt-0123456789abcdef" not in shown
    assert "at-0123456789abcdef" not in repr(record)


def test_a_refresh_without_rotation_keeps_the_old_refresh_token_and_identity() -> None:
    first = token_record(
        {"access_token": "at-first-0123456789", "refresh_token": "rt-keep-0123456789", "expires_in": 60,
         "id_token": _id_token({"sub": "u-1"})},
        provider="acme", profile="default", grant="device", now=0.0,
    )  # fmt: skip
    renewed = token_record(
        {"access_token": "at-second-0123456789", "expires_in": 60},
        provider="acme", profile="default", grant="device", now=30.0, previous=first,
    )  # fmt: skip
    assert renewed.refresh_token is not None
    assert renewed.refresh_token.get_secret_value() == "rt-keep-0123456789"
    assert renewed.identity == "u-1"


def test_an_answer_without_access_token_is_an_authentication_error() -> None:
    with pytest.raises(AuthenticationError, match="without an access_token"):
        token_record({"token_type": "Bearer"}, provider="acme", profile="default", grant="pkce", now=0.0)


def test_records_round_trip_and_damage_is_named() -> None:
    from polyport_core.auth import KeyringStore

    record = StoredCredential(kind="api_key", provider="acme", profile="ci", access_token=SecretStr("k-0123456789"))
    with memory_keyring():
        store = KeyringStore()
        save_credential(store, record)
        loaded = load_credential(store, "acme", "ci")
        assert loaded is not None
        assert loaded.access_token.get_secret_value() == "k-0123456789"
        assert parse_key(credential_key("acme", "ci")) == ("acme", "ci")
        assert parse_key("something-else") is None
        store.set(credential_key("acme", "ci"), "{not json")
        with pytest.raises(SecretStoreError, match=r"saved credential for acme \(profile ci\).*damaged"):
            load_credential(store, "acme", "ci")


def test_a_refused_refresh_token_is_not_tried_again_until_a_new_sign_in() -> None:
    """SDK retries must not hammer the token endpoint with a refresh token it already refused."""
    import httpx
    from polyport_core.auth import AccessToken, KeyringStore
    from polyport_core.auth._session import UserTokenSource
    from polyport_core.spec import AuthSpec

    try:  # Authlib's client runs on httpx2 when it is installed, else on httpx: mock the one it uses
        import httpx2 as http_lib
    except ImportError:
        http_lib = httpx

    calls: list[object] = []

    def token_endpoint(request: object) -> object:
        calls.append(request)
        return http_lib.Response(400, json={"error": "invalid_grant", "error_description": "revoked"})

    spec = AuthSpec(type="oauth2_device", device_authorization_url="https://idp.test/device",
                    token_url="https://idp.test/token", client_id="cli")  # fmt: skip
    expired = StoredCredential(
        kind="oauth", provider="acme", access_token=SecretStr("at-old-0123456789"),
        refresh_token=SecretStr("rt-old-0123456789"), expires_at=0.0,
    )  # fmt: skip
    with memory_keyring():
        store = KeyringStore()
        save_credential(store, expired)
        source = UserTokenSource(spec, None, provider="acme", profile="default", store=store,
                                 clock=lambda: 100.0, transport=http_lib.MockTransport(token_endpoint))  # fmt: skip
        for _ in range(3):
            with pytest.raises(AuthenticationError, match=r"invalid_grant.*polyport auth login acme"):
                source.obtain(AccessToken(SecretStr("at-old-0123456789"), 0.0))
        assert len(calls) == 1
        save_credential(store, expired.model_copy(update={"access_token": SecretStr("at-new-0123456789"),
                                                          "expires_at": 10_000.0}))  # fmt: skip
        fresh = source.obtain(AccessToken(SecretStr("at-old-0123456789"), 0.0))
        assert fresh.value.get_secret_value() == "at-new-0123456789"  # a new sign-in heals at once


def test_an_unreachable_token_endpoint_during_renewal_is_provider_unavailable() -> None:
    from polyport_core.auth import KeyringStore
    from polyport_core.auth._session import UserTokenSource
    from polyport_core.errors import ProviderUnavailableError
    from polyport_core.spec import AuthSpec

    try:
        import httpx2 as http_lib
    except ImportError:
        import httpx as http_lib

    def down(request: object) -> object:
        raise http_lib.ConnectError("connection refused")

    spec = AuthSpec(type="oauth2_device", device_authorization_url="https://idp.test/device",
                    token_url="https://idp.test/token", client_id="cli")  # fmt: skip
    expired = StoredCredential(kind="oauth", provider="acme", access_token=SecretStr("at-old-0123456789"),
                               refresh_token=SecretStr("rt-old-0123456789"), expires_at=0.0)  # fmt: skip
    with memory_keyring():
        store = KeyringStore()
        save_credential(store, expired)
        source = UserTokenSource(spec, None, provider="acme", profile="default", store=store,
                                 clock=lambda: 100.0, transport=http_lib.MockTransport(down))  # fmt: skip
        with pytest.raises(ProviderUnavailableError, match="failed to renew the sign-in: ConnectError"):
            source.obtain(None)
