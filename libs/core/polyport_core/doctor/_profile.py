"""Write observed capabilities back into a provider's spec file, keeping the user's file shape.

Key order, indentation and the user's spellings (goose ``supports_tools``,
Polydev ``parallelToolCalls``) are kept; only the model's capability fields
change. Built-in presets live inside the package and are read-only: they are
copied to a user or project folder first, or refused with a clear message.
"""

from __future__ import annotations

import json
import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from polyport_core.errors import InvalidConfigError
from polyport_core.spec import ProviderSpec, SpecError, load_file
from polyport_core.spec._aliases import _MODEL_ALIASES

__all__ = ["PROFILE_FIELDS", "ProfileWriteError", "spec_file_for", "write_profile"]

PROFILE_FIELDS = (
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "json_schema",
    "streaming_usage",
    "embeddings",
    "dimensions",
)
"""Model-spec fields the doctor can observe and write."""


class ProfileWriteError(InvalidConfigError):
    """The spec file cannot be updated (a preset, a plugin, or the result would not load)."""


def spec_file_for(spec: ProviderSpec) -> Path | None:
    """The file a spec was loaded from, or None for presets and plugins."""
    source = spec.source
    if not source or source.startswith(("preset:", "plugin:")):
        return None
    return Path(source)


def _copy_preset(spec: ProviderSpec, copy_to: Path) -> Path:
    name = spec.source.removeprefix("preset:")
    target = copy_to / name
    if target.exists():
        raise ProfileWriteError(f"{target} already exists; edit it or remove it first", provider=spec.id)
    text = files("polyport_core.registry").joinpath("presets", name).read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("$schema", None)  # the relative schema path only resolves inside the package
    copy_to.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _indent_of(text: str) -> int | str | None:
    match = re.search(r"\n([ \t]+)\S", text)
    if match is None:
        return None
    indent = match.group(1)
    return indent if "\t" in indent else len(indent)


def _provider_doc(data: Any, provider: str) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("providers"), dict) and "engine" not in data:
        for key, entry in data["providers"].items():
            if isinstance(entry, dict) and (entry.get("id") or entry.get("name") or key) == provider:
                return entry
        raise ProfileWriteError(f"provider {provider!r} not found in the file's 'providers'", provider=provider)
    if not isinstance(data, dict):
        raise ProfileWriteError("the spec file is not a JSON object", provider=provider)
    return data


def _model_entry(doc: dict[str, Any], model: str) -> dict[str, Any]:
    models = doc.setdefault("models", [])
    for index, entry in enumerate(models):
        if entry == model:
            replaced: dict[str, Any] = {"id": model}
            models[index] = replaced
            return replaced
        if isinstance(entry, dict) and (entry.get("id") or entry.get("name")) == model:
            return entry
    models.append({"id": model})
    entry_new: dict[str, Any] = models[-1]
    return entry_new


def _key_for(entry: dict[str, Any], field: str) -> str:
    for alias, canonical in _MODEL_ALIASES.items():
        if canonical == field and alias in entry:
            return alias
    return field


def write_profile(spec: ProviderSpec, model: str, observed: dict[str, Any], *, copy_to: Path | None = None) -> Path:
    """Set ``observed`` capability fields on ``model`` in the spec's file; returns the file path.

    Presets need ``copy_to`` (a user or project providers folder); the copy is
    what gets updated, and it overrides the preset from then on.
    """
    path = spec_file_for(spec)
    if path is None:
        if not spec.source.startswith("preset:"):
            where = spec.source or "code"
            raise ProfileWriteError(
                f"provider {spec.id!r} comes from {where}; it has no spec file to update", provider=spec.id
            )
        if copy_to is None:
            raise ProfileWriteError(
                f"provider {spec.id!r} is a built-in preset ({spec.source}), which is read-only; "
                "rerun with --copy-to user or --copy-to project to write an editable copy",
                provider=spec.id,
            )
        path = _copy_preset(spec, copy_to)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    entry = _model_entry(_provider_doc(data, spec.id), model)
    for field in PROFILE_FIELDS:
        if field in observed and observed[field] is not None:
            entry[_key_for(entry, field)] = observed[field]
    new_text = json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + ("\n" if text.endswith("\n") else "")
    tmp = path.with_name(f".{path.name}.polyport-tmp")
    tmp.write_text(new_text, encoding="utf-8")
    try:
        load_file(tmp)
    except SpecError as exc:
        tmp.unlink(missing_ok=True)
        raise ProfileWriteError(f"not written: the updated spec would not load: {exc}", provider=spec.id) from None
    os.replace(tmp, path)
    return path
