"""Credentials: keys in header/query/bearer, OAuth2, token providers, and secrets at rest.

Secrets stay ``SecretStr`` until the moment they are handed to an SDK, and
never appear in error messages, logs or reprs: ``polyport_core.redaction`` is the one
redaction layer (re-exported here), ``_types`` the field types (``SecretHeaders``,
``RedactedURL``) models use.

Only the field types, the redaction layer and ``refresher_for`` load with the package: every
chat model imports them. The rest (OAuth and sign-in on httpx, secrets from the spec's
environment, the secret stores) loads on first use, so a model on a vendor SDK does not pay
for httpx (and the CLI libraries its package imports when installed) before it needs them.
"""

from typing import TYPE_CHECKING

from polyport_core._lazy import lazy_getattr
from polyport_core.auth._issued import refresher_for
from polyport_core.auth._types import RedactedURL, SecretHeaders, SecretQuery, reveal, secret_values
from polyport_core.redaction import (
    SECRET_PARAM_NAMES,
    install_log_redaction,
    is_secret_name,
    looks_like_secret,
    mask_secret,
    protect,
    redact_data,
    redact_mapping,
    redact_text,
    redact_url,
    remember_secrets,
    scrub_exception,
)

if TYPE_CHECKING:
    from polyport_core.auth._login import login_device, login_pkce, open_browser
    from polyport_core.auth._material import PROFILE_ENV, AuthMaterial, build_auth, choose_profile, load_token_provider
    from polyport_core.auth._oauth import OAuth2ClientCredentials, TokenProviderAuth
    from polyport_core.auth._refresh import AccessToken, RefreshingBearer, TokenSource, for_client
    from polyport_core.auth._secrets import keyring_secret, resolve_secret
    from polyport_core.auth._store import EncryptedFileStore, KeyringStore, SecretStore, SecretStoreError, default_store
    from polyport_core.auth._tokens import (
        DEFAULT_PROFILE,
        StoredCredential,
        credential_key,
        load_credential,
        parse_key,
        save_credential,
    )

_LAZY = {
    "login_device": "_login",
    "login_pkce": "_login",
    "open_browser": "_login",
    "PROFILE_ENV": "_material",
    "AuthMaterial": "_material",
    "build_auth": "_material",
    "choose_profile": "_material",
    "load_token_provider": "_material",
    "OAuth2ClientCredentials": "_oauth",
    "TokenProviderAuth": "_oauth",
    "AccessToken": "_refresh",
    "RefreshingBearer": "_refresh",
    "TokenSource": "_refresh",
    "for_client": "_refresh",
    "keyring_secret": "_secrets",
    "resolve_secret": "_secrets",
    "EncryptedFileStore": "_store",
    "KeyringStore": "_store",
    "SecretStore": "_store",
    "SecretStoreError": "_store",
    "default_store": "_store",
    "DEFAULT_PROFILE": "_tokens",
    "StoredCredential": "_tokens",
    "credential_key": "_tokens",
    "load_credential": "_tokens",
    "parse_key": "_tokens",
    "save_credential": "_tokens",
}
__getattr__ = lazy_getattr(__name__, globals(), _LAZY)

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILE_ENV",
    "SECRET_PARAM_NAMES",
    "AccessToken",
    "AuthMaterial",
    "EncryptedFileStore",
    "KeyringStore",
    "OAuth2ClientCredentials",
    "RedactedURL",
    "RefreshingBearer",
    "SecretHeaders",
    "SecretQuery",
    "SecretStore",
    "SecretStoreError",
    "StoredCredential",
    "TokenProviderAuth",
    "TokenSource",
    "build_auth",
    "choose_profile",
    "credential_key",
    "default_store",
    "for_client",
    "install_log_redaction",
    "is_secret_name",
    "keyring_secret",
    "load_credential",
    "load_token_provider",
    "login_device",
    "login_pkce",
    "looks_like_secret",
    "mask_secret",
    "open_browser",
    "parse_key",
    "protect",
    "redact_data",
    "redact_mapping",
    "redact_text",
    "redact_url",
    "refresher_for",
    "remember_secrets",
    "resolve_secret",
    "reveal",
    "save_credential",
    "scrub_exception",
    "secret_values",
]
