"""Credentials: keys in header/query/bearer, OAuth2, token providers, and secrets at rest.

Secrets stay ``SecretStr`` until the moment they are handed to an SDK, and
never appear in error messages, logs or reprs: ``polyport_core.redaction`` is the one
redaction layer (re-exported here), ``_types`` the field types (``SecretHeaders``,
``RedactedURL``) models use.
"""

from polyport_core.auth._material import AuthMaterial, build_auth, load_token_provider
from polyport_core.auth._oauth import OAuth2ClientCredentials, TokenProviderAuth
from polyport_core.auth._secrets import keyring_secret, resolve_secret
from polyport_core.auth._store import (
    EncryptedFileStore,
    KeyringStore,
    SecretStore,
    SecretStoreError,
    default_store,
)
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

__all__ = [
    "SECRET_PARAM_NAMES",
    "AuthMaterial",
    "EncryptedFileStore",
    "KeyringStore",
    "OAuth2ClientCredentials",
    "RedactedURL",
    "SecretHeaders",
    "SecretQuery",
    "SecretStore",
    "SecretStoreError",
    "TokenProviderAuth",
    "build_auth",
    "default_store",
    "install_log_redaction",
    "is_secret_name",
    "keyring_secret",
    "load_token_provider",
    "looks_like_secret",
    "mask_secret",
    "protect",
    "redact_data",
    "redact_mapping",
    "redact_text",
    "redact_url",
    "remember_secrets",
    "resolve_secret",
    "reveal",
    "scrub_exception",
    "secret_values",
]
