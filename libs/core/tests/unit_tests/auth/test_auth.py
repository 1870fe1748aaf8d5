from __future__ import annotations

import os

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from polyport_core.auth import OAuth2ClientCredentials, build_auth, redact_text, redact_url, resolve_secret
from polyport_core.errors import AuthenticationError, InvalidConfigError
from polyport_core.spec import AuthSpec
from pydantic import SecretStr


def test_bearer_from_env() -> None:
    material = build_auth(AuthSpec(api_key_env="K"), provider="p", env={"K": "sk-1"})
    assert material.api_key == SecretStr("sk-1")
    assert material.headers == {}


def test_header_with_prefix_and_query_key() -> None:
    header = build_auth(
        AuthSpec(type="header", header_name="x-api-key", prefix="Key ", api_key_env="K"),
        provider="p",
        env={"K": "abc"},
    )
    assert header.headers == {"x-api-key": "Key abc"}
    query = build_auth(AuthSpec(type="query", query_param="key", api_key_env="K"), provider="p", env={"K": "abc"})
    assert query.query == {"key": "abc"}


def test_goose_header_value_template() -> None:
    spec = AuthSpec(type="header", header_name="Authorization", header_value=SecretStr("Bearer ${MY_KEY}"))
    material = build_auth(spec, provider="p", env={"MY_KEY": "tok-9"})
    assert material.headers == {"Authorization": "Bearer tok-9"}


def test_missing_secret_is_named_not_leaked() -> None:
    with pytest.raises(InvalidConfigError, match="environment variable NOPE is not set"):
        resolve_secret("env:NOPE", env={})
    with pytest.raises(InvalidConfigError, match="MISSING"):
        build_auth(AuthSpec(api_key=SecretStr("${MISSING}")), provider="p", env={})


def test_optional_auth_without_key_is_empty() -> None:
    material = build_auth(AuthSpec(api_key_env="K", required=False), provider="p", env={})
    assert material.api_key is None


def test_keyring_without_backend_is_a_clear_error() -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(InvalidConfigError, match="no OS keyring backend"):
            resolve_secret("keyring:polyport/acme")
    finally:
        keyring.set_keyring(previous)


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def test_keyring_reference() -> None:
    previous = keyring.get_keyring()
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        keyring.set_password("polyport", "acme", "sk-from-keyring")
        assert resolve_secret("keyring:polyport/acme") == SecretStr("sk-from-keyring")
        with pytest.raises(InvalidConfigError, match="no entry polyport/other"):
            resolve_secret("keyring:polyport/other")
    finally:
        keyring.set_keyring(previous)


def test_oauth2_caches_and_refreshes_before_expiry() -> None:
    calls: list[httpx.Request] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"access_token": f"tok-{len(calls)}", "expires_in": 120})

    now = [1000.0]
    auth = OAuth2ClientCredentials(
        "https://idp.test/token",
        "client",
        SecretStr("s3cret"),
        scopes=["llm.read"],
        transport=httpx.MockTransport(token_endpoint),
        clock=lambda: now[0],
        refresh_margin=30,
    )
    assert auth.token().get_secret_value() == "tok-1"
    now[0] += 60
    assert auth.token().get_secret_value() == "tok-1"  # cached
    now[0] += 40  # 100 s in: within the 30 s margin of expiry
    assert auth.token().get_secret_value() == "tok-2"
    assert b"grant_type=client_credentials" in calls[0].content
    assert b"scope=llm.read" in calls[0].content
    assert calls[0].headers["authorization"].startswith("Basic ")


def test_oauth2_refusal_is_an_authentication_error_without_secret() -> None:
    auth = OAuth2ClientCredentials(
        "https://idp.test/token?key=zzz-secret",
        "client",
        SecretStr("s3cret"),
        transport=httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "invalid_client"})),
    )
    with pytest.raises(AuthenticationError) as info:
        auth.token()
    assert "s3cret" not in str(info.value)
    assert "zzz-secret" not in str(info.value)


def test_token_provider_callable() -> None:
    spec = AuthSpec(type="token_provider", token_provider="os:getcwd")  # any importable callable returning a str
    material = build_auth(spec, provider="p", env={})
    assert material.api_key is not None
    assert material.api_key.get_secret_value() == os.getcwd()
    assert material.httpx_auth is not None
    sent = next(material.httpx_auth.sync_auth_flow(httpx.Request("GET", "https://api.test/v1/models")))
    assert sent.headers["authorization"] == f"Bearer {os.getcwd()}"


def test_redaction() -> None:
    url = "https://u:pw@api.test/v1/models?key=AIzaSECRET&alt=json"
    assert redact_url(url) == "https://***@api.test/v1/models?key=***&alt=json"
    assert "AIzaSECRET" not in redact_text(f"GET {url} failed; token sk-abcdef", secrets=["sk-abcdef"])
