"""Resolve secret references: ``env:NAME``, ``${NAME}``, ``keyring:service/name`` or a literal."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import SecretStr

from polyport_core.errors import InvalidConfigError
from polyport_core.redaction import remember_secrets
from polyport_core.spec import MissingEnvError, interpolate_value, variable_label

__all__ = ["keyring_secret", "resolve_secret"]


def resolve_secret(
    reference: SecretStr | str | None,
    *,
    env: Mapping[str, str] | None = None,
    provider: str | None = None,
    field: str = "auth.api_key",
) -> SecretStr | None:
    """The secret a reference points to; None when ``reference`` is None.

    Raises ``InvalidConfigError`` (naming the variable or keyring entry, never
    the value) when the reference cannot be resolved.
    """
    if reference is None:
        return None
    secret = _resolve(reference, env, provider, field)
    remember_secrets(secret)
    return secret


def _resolve(
    reference: SecretStr | str, env: Mapping[str, str] | None, provider: str | None, field: str
) -> SecretStr:
    raw = reference.get_secret_value() if isinstance(reference, SecretStr) else reference
    environ = os.environ if env is None else env
    if raw.startswith("env:"):
        name = raw[4:]
        if name not in environ or not environ[name]:
            raise InvalidConfigError(
                f"{field}: environment variable {variable_label(name)} is not set", provider=provider
            )
        return SecretStr(environ[name])
    if raw.startswith("keyring:"):
        return keyring_secret(raw[len("keyring:") :], provider=provider, field=field)
    if "${" in raw:
        try:
            return SecretStr(interpolate_value(raw, environ))
        except MissingEnvError as exc:
            raise InvalidConfigError(f"{field}: {exc}", provider=provider) from None
    return SecretStr(raw)


def keyring_secret(ref: str, *, provider: str | None = None, field: str = "auth.api_key") -> SecretStr:
    """The password stored in the OS keyring under ``service/name``."""
    if "/" not in ref:
        raise InvalidConfigError(
            f"{field}: expected 'keyring:service/name', found 'keyring:{ref}'", provider=provider
        )
    service, name = ref.split("/", 1)
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        value = keyring.get_password(service, name)
    except NoKeyringError:
        raise InvalidConfigError(
            f"{field}: no OS keyring backend is available (headless machine?) to read "
            f"keyring:{service}/{name}; use an environment variable instead or install a backend "
            "such as keyrings.alt",
            provider=provider,
        ) from None
    except KeyringError as exc:
        raise InvalidConfigError(
            f"{field}: keyring lookup of {service}/{name} failed: {type(exc).__name__}", provider=provider
        ) from None
    if value is None:
        raise InvalidConfigError(
            f"{field}: the keyring has no entry {service}/{name} (keyring set {service} {name})",
            provider=provider,
        )
    return SecretStr(value)
