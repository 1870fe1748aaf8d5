"""Credentials: keys in header/query/bearer, OAuth2 client credentials, token providers, keyring.

Secrets stay ``SecretStr`` until the moment they are handed to an SDK, and
never appear in error messages; ``redact_url`` strips query-string keys.
"""

from polyport_core.auth._material import AuthMaterial, build_auth, load_token_provider
from polyport_core.auth._oauth import OAuth2ClientCredentials, TokenProviderAuth
from polyport_core.auth._redact import SECRET_PARAM_NAMES, redact_text, redact_url
from polyport_core.auth._secrets import keyring_secret, resolve_secret

__all__ = [
    "SECRET_PARAM_NAMES",
    "AuthMaterial",
    "OAuth2ClientCredentials",
    "TokenProviderAuth",
    "build_auth",
    "keyring_secret",
    "load_token_provider",
    "redact_text",
    "redact_url",
    "resolve_secret",
]
