"""``${VAR}`` / ``${VAR:-default}`` interpolation of spec values from the environment.

Secret fields (``auth.api_key``, ``auth.header_value``, ``auth.client_secret``)
are *not* interpolated at load time: they stay references and are resolved
when a model is created, so a spec loads (and lists) without its keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from polyport_core.spec._aliases import Loc

__all__ = [
    "LAZY_FIELDS",
    "MissingEnvError",
    "UnclosedReferenceError",
    "interpolate",
    "interpolate_value",
    "variable_label",
]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ANY_REF = re.compile(r"\$\{((?:(?!\$\{)[^}])*)\}")
LAZY_FIELDS: frozenset[Loc] = frozenset(
    {
        ("auth", "api_key"),
        ("auth", "header_value"),
        ("auth", "client_secret"),
        ("aws", "access_key_id"),
        ("aws", "secret_access_key"),
        ("aws", "session_token"),
    }
)
_REQUIRED: frozenset[Loc] = frozenset({("id",), ("engine",), ("base_url",)})


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*|[A-Za-z_][A-Za-z0-9_]{0,31}")


def variable_label(name: str) -> str:
    """How to name a referenced variable in a message: a key pasted as the name is masked."""
    from polyport_core.redaction import looks_like_secret, mask_secret, remember_secrets

    if _ENV_NAME.fullmatch(name) and not (name != name.upper() and looks_like_secret(name)):
        return name
    remember_secrets(name)
    return f"{mask_secret(name)} (this looks like a key, not a variable name)"


class MissingEnvError(ValueError):
    """A ``${VAR}`` reference to a variable that is not set and has no default."""

    def __init__(self, loc: Loc, variable: str) -> None:
        self.loc = loc
        self.variable = variable_label(variable)
        self.expected = f"environment variable {self.variable} to be set"
        self.found = "it unset"
        super().__init__(f"environment variable {self.variable} is not set")


class UnclosedReferenceError(MissingEnvError):
    """A ``${`` without its closing ``}``: the value would be sent with the literal text."""

    def __init__(self, loc: Loc) -> None:
        super().__init__(loc, "(unclosed)")
        self.expected = "a closed ${VAR} reference"
        self.found = "'${' without a closing '}'"
        ValueError.__init__(self, "unclosed '${' (a ${VAR} reference needs its closing '}')")


def interpolate_value(text: str, env: Mapping[str, str], loc: Loc = ()) -> str:
    """``text`` with every ``${VAR}`` replaced; raises ``MissingEnvError``."""

    def sub(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise MissingEnvError(loc, name)

    check_closed(text, loc)
    for bad in _ANY_REF.finditer(text):
        if not _VAR.fullmatch(bad.group(0)):
            raise MissingEnvError(loc, bad.group(1) or "(empty)")
    return _VAR.sub(sub, text)


def check_closed(text: str, loc: Loc = ()) -> None:
    """Raise ``UnclosedReferenceError`` when ``text`` has a ``${`` that never closes."""
    if "${" in _ANY_REF.sub("", text):
        raise UnclosedReferenceError(loc)


def interpolate(
    doc: dict[str, Any], env: Mapping[str, str], touched: set[Loc] | None = None
) -> dict[str, Any]:
    """Interpolate every string in a canonical document.

    A missing variable in a required field (``id``, ``engine``, ``base_url``,
    a model id, a header) raises; in an optional field the field is dropped.
    ``touched`` collects the locations whose value came from the environment
    (so a ``"${TIMEOUT:-30}"`` can become the number a numeric field needs).
    """
    result = _walk(doc, env, (), set() if touched is None else touched)
    assert isinstance(result, dict)
    return result


_DROP = object()


def _walk(value: Any, env: Mapping[str, str], loc: Loc, touched: set[Loc]) -> Any:
    if isinstance(value, str):
        if "${" not in value:
            return value
        check_closed(value, loc)
        if loc in LAZY_FIELDS:
            return value
        try:
            result = interpolate_value(value, env, loc)
        except UnclosedReferenceError:
            raise
        except MissingEnvError:
            if _required(loc):
                raise
            return _DROP
        touched.add(loc)
        return result
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new = _walk(item, env, (*loc, key), touched)
            if new is not _DROP:
                out[key] = new
        return out
    if isinstance(value, list):
        items = [_walk(item, env, (*loc, i), touched) for i, item in enumerate(value)]
        return [item for item in items if item is not _DROP]
    return value


def _required(loc: Loc) -> bool:
    if loc in _REQUIRED or (loc[:1] == ("headers",)) or loc[:1] == ("query_params",):
        return True
    return len(loc) == 3 and loc[0] == "models" and loc[2] == "id"
