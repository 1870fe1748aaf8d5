"""Load provider spec files: parse, normalize spellings, interpolate, validate.

Every failure becomes one ``SpecError`` naming the file and JSON path; a
folder with one bad file still yields the good ones.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from polyport_core.spec._aliases import Loc, original_loc
from polyport_core.spec._coerce import coerce_env_values
from polyport_core.spec._dialect import DialectError, translate
from polyport_core.spec._env import MissingEnvError, interpolate
from polyport_core.spec._errors import SpecError, from_validation_error, show
from polyport_core.spec._models import ENGINES_KNOWN, ProviderSpec

__all__ = ["LoadResult", "known_engines", "load_file", "load_paths", "load_spec", "parse_spec"]

_REFERENCE_PREFIXES = ("${", "env:", "keyring:")


@dataclass
class LoadResult:
    """Specs that loaded and the errors of those that did not."""

    specs: list[ProviderSpec] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)


@lru_cache(maxsize=1)
def known_engines() -> tuple[str, ...]:
    """Built-in engine names plus those registered in ``polyport.engines``."""
    names = set(ENGINES_KNOWN) | {ep.name for ep in entry_points(group="polyport.engines")}
    return tuple(sorted(names))


def parse_spec(
    data: Any,
    source: str,
    *,
    env: Mapping[str, str] | None = None,
    prefix: Loc = (),
) -> ProviderSpec:
    """Validate one provider document (already parsed JSON); raises ``SpecError``."""
    if not isinstance(data, dict):
        raise SpecError(source, prefix, "an object with the provider's fields", _kind(data))
    name = data.get("id") or data.get("name")
    provider = name if isinstance(name, str) else None
    try:
        translated = translate(data)
    except DialectError as exc:
        raise SpecError(source, prefix + exc.loc, exc.expected, exc.found, provider=provider) from None
    doc, origins = translated.doc, translated.origins
    touched: set[Loc] = set()
    try:
        doc = interpolate(doc, _with_defaults(doc, os.environ if env is None else env), touched)
    except MissingEnvError as exc:
        loc = prefix + original_loc(exc.loc, origins)
        raise SpecError(
            source, loc, exc.expected, exc.found, provider=provider
        ) from None
    coerce_env_values(doc, touched, ProviderSpec)
    try:
        spec = ProviderSpec.model_validate(doc)
    except ValidationError as exc:
        raise from_validation_error(exc, source, origins, prefix=prefix, provider=provider) from None
    if spec.engine not in known_engines():
        raise _unknown_engine(spec, source, prefix + original_loc(("engine",), origins))
    key = spec.auth.api_key.get_secret_value() if spec.auth.api_key else None
    if key and not key.startswith(_REFERENCE_PREFIXES):
        warnings.warn(
            f"{source}: provider {spec.id!r} has a literal auth.api_key; prefer api_key_env, "
            "${ENV} or keyring:service/name",
            UserWarning,
            stacklevel=2,
        )
    spec._source = source
    spec._dialect = translated.dialect
    spec._notes = translated.notes
    return spec


def _with_defaults(doc: dict[str, Any], env: Mapping[str, str]) -> Mapping[str, str]:
    """``env`` plus the defaults of the file's own ``env_vars`` (goose) for variables that are unset."""
    declared = doc.get("env_vars")
    defaults: dict[str, str] = {}
    for var in declared if isinstance(declared, list) else []:
        named = isinstance(var, dict) and isinstance(var.get("name"), str)
        if named and isinstance(var.get("default"), str) and var["name"] not in env:
            defaults[var["name"]] = var["default"]
    return {**env, **defaults} if defaults else env


def _unknown_engine(spec: ProviderSpec, source: str, loc: Loc) -> SpecError:
    engines = ", ".join(known_engines())
    if spec.adapter is not None:
        return SpecError(
            source,
            loc,
            f"a registered adapter ({engines}); register the adapter class under the "
            "'polyport.engines' entry point, or use type 'openai-compatible' for an OpenAI-style server",
            show(spec.engine),
            provider=spec.id,
        )
    return SpecError(
        source,
        loc,
        f"one of {engines} (or an engine registered under 'polyport.engines')",
        show(spec.engine),
        provider=spec.id,
    )


def load_file(path: str | Path, *, env: Mapping[str, str] | None = None) -> list[ProviderSpec]:
    """Specs in one JSON file: a provider object, or ``{"providers": {id: {...}}}``."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(source, (), "UTF-8 text", "undecodable bytes") from None
    except OSError as exc:
        raise SpecError(source, (), "a readable file", exc.strerror or type(exc).__name__) from None
    if not text.strip():
        raise SpecError(source, (), "a JSON object", "an empty file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            source, (), "valid JSON", f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("providers"), dict) and "engine" not in data:
        specs = []
        for key, entry in data["providers"].items():
            if isinstance(entry, dict) and "id" not in entry and "name" not in entry:
                entry = {"id": key, **entry}
            specs.append(parse_spec(entry, source, env=env, prefix=("providers", key)))
        return specs
    return [parse_spec(data, source, env=env)]


def load_spec(path: str | Path, *, env: Mapping[str, str] | None = None) -> ProviderSpec:
    """The single provider spec in ``path``; raises ``SpecError`` if it is invalid."""
    specs = load_file(path, env=env)
    if len(specs) != 1:
        raise SpecError(str(path), ("providers",), "exactly one provider", f"{len(specs)} providers")
    return specs[0]


def load_paths(paths: Iterable[str | Path], *, env: Mapping[str, str] | None = None) -> LoadResult:
    """Load every ``*.json`` in the given files/folders; bad files become errors, not exceptions."""
    result = LoadResult()
    for item in paths:
        path = Path(item).expanduser()
        files = sorted(path.glob("*.json")) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            try:
                result.specs.extend(load_file(file, env=env))
            except SpecError as exc:
                result.errors.append(exc)
    return result


def _kind(value: Any) -> str:
    names = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else type(value).__name__)
