"""Field types for values that may carry a credential: header/query maps and URLs with userinfo.

Models declare ``default_headers: SecretHeaders | None`` and ``base_url: RedactedURL``;
``repr``, ``model_dump``, ``model_dump_json``, ``dict(model)`` and LangChain's
``dumpd`` then show masks, and clients are built from ``reveal(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, SecretStr

from polyport_core.redaction import is_secret_name, looks_like_secret, redact_url, remember_secrets

__all__ = ["RedactedURL", "SecretHeaders", "SecretQuery", "reveal", "secret_values"]


def _secret_map(value: Any) -> Any:
    """Accept plain strings (and numbers, for query params); remember credential-like values."""
    if not isinstance(value, Mapping):
        return value
    out: dict[str, SecretStr] = {}
    for name, item in value.items():
        secret = item if isinstance(item, SecretStr) else SecretStr(str(item))
        raw = secret.get_secret_value()
        if is_secret_name(str(name)) or looks_like_secret(raw):
            remember_secrets(raw)
            remember_secrets(*raw.split()[1:])  # "Bearer <token>": the token alone too
        out[str(name)] = secret
    return out


SecretHeaders = Annotated[dict[str, SecretStr], BeforeValidator(_secret_map)]
"""Header name → value; every value is a ``SecretStr`` (plain strings accepted)."""

SecretQuery = Annotated[dict[str, SecretStr], BeforeValidator(_secret_map)]
"""Query parameter → value; every value is a ``SecretStr`` (plain values accepted)."""


def reveal(values: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The plain mapping to hand to an SDK or HTTP client (None stays None)."""
    if values is None:
        return None
    return {
        name: value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        for name, value in values.items()
    }


def secret_values(values: Mapping[str, Any] | None) -> list[str]:
    """The raw values of a secret map (to register with the redactor or scrub from messages)."""
    return list((reveal(values) or {}).values())


class _MaskedURL(str):
    """A URL string whose ``repr`` hides userinfo and key-like query parameters."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(redact_url(str.__str__(self)))


def _masked_url(value: str) -> str:
    redact_url(value)  # remembers a userinfo password as a secret
    return _MaskedURL(value)


def _serialize_url(value: str) -> str:
    return redact_url(str.__str__(value))


RedactedURL = Annotated[str, AfterValidator(_masked_url), PlainSerializer(_serialize_url, return_type=str)]
"""A URL field that is sent as-is but shown (repr, dumps) with its credentials masked."""
