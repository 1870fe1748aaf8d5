"""Spec sections for where and how bytes travel beyond a plain base URL and key.

TLS settings of the transport, the proxy URL check, AWS credentials (Claude on Bedrock), the
environment variables a provider documents (goose ``env_vars``) and the adapter
a ``custom-adapter`` names. Kept apart from ``_models`` so the core format stays
readable; ``ProviderSpec`` includes them as optional sections.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["PROXY_SCHEMES", "AWSSpec", "AdapterSpec", "EnvVarSpec", "TLSSpec", "check_proxy_url"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class TLSSpec(_Strict):
    """TLS of every connection to the provider: certificate checks, minimum version, CA bundle.

    ``verify: false`` turns certificate and host-name checks off (a self-signed test server);
    prefer ``ca_bundle`` (a PEM file with the server's CA), which keeps the checks on.
    """

    verify: bool = True
    min_version: Literal["1.2", "1.3"] | None = None
    """Refuse to negotiate anything older (``"1.2"`` or ``"1.3"``)."""
    ca_bundle: str | None = Field(default=None, min_length=1)
    """Path of a PEM file of CA certificates trusted instead of the default bundle."""


PROXY_SCHEMES = ("http", "https")
"""Proxy URL schemes every transport accepts (SOCKS would need the optional socksio package)."""


def check_proxy_url(value: str) -> str:
    """A proxy URL: ``http://`` or ``https://``, a host, no whitespace; trailing slash removed.

    A password in its userinfo is registered with the redactor here, so it is masked
    wherever it might surface later (a connection error, a log line). The error never
    repeats the value, only its scheme.
    """
    from urllib.parse import urlsplit

    from polyport_core.redaction import redact_url

    redact_url(value)  # remembers the userinfo password as a secret
    if any(c.isspace() for c in value):
        raise ValueError("a proxy URL without spaces")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError("a proxy URL like http://proxy.example.com:3128 (host and numeric port)") from None
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        scheme = f" (not {parts.scheme}://)" if parts.scheme and parts.scheme not in PROXY_SCHEMES else ""
        raise ValueError(f"an http:// or https:// proxy URL like http://proxy.example.com:3128{scheme}")
    return value.rstrip("/")


class AWSSpec(_Strict):
    """AWS credentials for SigV4-signed requests (Claude on Bedrock).

    Keys are secret references like ``auth.api_key`` (``${ENV}``, ``env:NAME``,
    ``keyring:service/name`` or a literal) and are resolved when a model is built.
    Leave them out to use the AWS SDK's own chain (environment, profile, instance role).
    """

    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    session_token: SecretStr | None = None
    profile: str | None = None


class EnvVarSpec(_Strict):
    """An environment variable a provider file reads (goose ``env_vars``).

    ``default`` fills ``${NAME}`` references when the variable is unset.
    """

    name: str
    required: bool = False
    secret: bool = False
    primary: bool | None = None
    description: str | None = None
    default: str | None = None

    @field_validator("name")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ValueError("an environment variable name like MY_HOST")
        return value


class AdapterSpec(_Strict):
    """The wire a ``custom-adapter`` provider speaks, by the name of a registered engine."""

    request_format: str
    response_format: str | None = None
    streaming: bool = True
