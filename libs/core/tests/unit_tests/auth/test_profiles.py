"""Auth profiles: a saved key chosen by ``auth_profile=``, ``$POLYPORT_AUTH_PROFILE`` or ``auth.profile``."""

from __future__ import annotations

import time

import pytest
from polyport_core.auth import StoredCredential, build_auth, choose_profile, default_store, save_credential
from polyport_core.errors import InvalidConfigError
from polyport_core.spec import AuthSpec
from polyport_core.testing.keyring_backend import memory_keyring
from pydantic import SecretStr

ENV = {"ACME_KEY": "sk-from-env-0123456789"}


def _save(profile: str, key: str) -> None:
    record = StoredCredential(
        kind="api_key", provider="acme", profile=profile, access_token=SecretStr(key), obtained_at=time.time()
    )
    save_credential(default_store({}), record)


def test_choose_profile_order() -> None:
    spec = AuthSpec(api_key_env="ACME_KEY", profile="work")
    assert choose_profile(spec, "ci", {"POLYPORT_AUTH_PROFILE": "home"}) == "ci"
    assert choose_profile(spec, None, {"POLYPORT_AUTH_PROFILE": "home"}) == "home"
    assert choose_profile(spec, None, {}) == "work"
    assert choose_profile(AuthSpec(api_key_env="ACME_KEY"), None, {}) is None


def test_saved_key_by_profile_beats_the_environment() -> None:
    with memory_keyring():
        _save("ci", "sk-ci-key-0123456789")
        _save("work", "sk-work-key-0123456789")
        spec = AuthSpec(api_key_env="ACME_KEY")
        plain = build_auth(spec, provider="acme", env=ENV)
        assert plain.api_key is not None
        assert plain.api_key.get_secret_value() == ENV["ACME_KEY"]
        assert plain.profile is None
        ci = build_auth(spec, provider="acme", env=ENV, profile="ci")
        assert ci.api_key is not None
        assert ci.api_key.get_secret_value() == "sk-ci-key-0123456789"
        assert ci.profile == "ci"
        default = build_auth(AuthSpec(api_key_env="ACME_KEY", profile="work"), provider="acme", env=ENV)
        assert default.api_key is not None
        assert default.api_key.get_secret_value() == "sk-work-key-0123456789"


def test_a_named_profile_that_was_never_saved_is_a_clear_error() -> None:
    with memory_keyring(), pytest.raises(InvalidConfigError, match=r"profile 'nobody'.*polyport auth login acme"):
        build_auth(AuthSpec(api_key_env="ACME_KEY"), provider="acme", env=ENV, profile="nobody")


def test_a_profile_from_the_environment_falls_back_to_the_spec_key() -> None:
    """``POLYPORT_AUTH_PROFILE=work`` for the whole shell must not break providers with no saved 'work' key."""
    with memory_keyring():
        env = {**ENV, "POLYPORT_AUTH_PROFILE": "work"}
        material = build_auth(AuthSpec(api_key_env="ACME_KEY"), provider="acme", env=env)
        assert material.api_key is not None
        assert material.api_key.get_secret_value() == ENV["ACME_KEY"]
        assert material.profile == "work"  # still labels the calls


def test_caller_key_is_not_replaced_by_a_saved_one() -> None:
    with memory_keyring():
        _save("ci", "sk-ci-key-0123456789")
        spec = AuthSpec(api_key_env="ACME_KEY")
        material = build_auth(spec, provider="acme", env=ENV, profile="ci", saved=False)
        assert material.api_key is not None
        assert material.api_key.get_secret_value() == ENV["ACME_KEY"]
        assert material.profile == "ci"


def test_goose_oauth_spelling_and_required_endpoints() -> None:
    spec = AuthSpec.model_validate(
        {"type": "oauth", "authorization_url": "https://idp.test/auth", "token_url": "https://idp.test/token",
         "client_id": "cli"}
    )  # fmt: skip
    assert spec.type == "oauth2_pkce"
    with pytest.raises(ValueError, match="device_authorization_url"):
        AuthSpec.model_validate({"type": "oauth2_device", "token_url": "https://idp.test/token", "client_id": "c"})


def test_a_callers_key_replaces_a_sign_in() -> None:
    """``api_key=`` on a provider that signs people in uses that key; the store is never opened."""
    from polyport_core.registry import SpecSettings
    from polyport_core.spec import ProviderSpec

    spec = ProviderSpec.model_validate(
        {"id": "acme", "engine": "openai", "base_url": "https://llm.acme.test/v1",
         "auth": {"type": "oauth2_device", "device_authorization_url": "https://idp.acme.test/device",
                  "token_url": "https://idp.acme.test/token", "client_id": "cli"}}
    )  # fmt: skip
    settings = SpecSettings.resolve(spec, "m1", {"api_key": "sk-given-0123456789"}, env={})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk-given-0123456789"
    assert settings.http_auth is None
