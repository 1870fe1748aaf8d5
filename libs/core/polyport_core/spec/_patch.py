"""Config patches: the one way polyport changes a provider file after setup.

``providers add``, ``polyport test --write-profile`` and ``auth login`` all write
through ``ConfigPatch``: set the default model, add models (e.g. from the live
``/models`` list), set the ``allowed_models`` allowlist, set declared facts of a
model. A patch keeps the file's key order, indentation, trailing newline and the
user's spellings (goose ``supports_tools``, Polydev ``contextWindow``); a patched
file that would not load is never written, and the write is atomic (a crash
leaves the old file or the new one, never half of one). Built-in presets live
inside the installed package and are never edited: the patch goes to a copy in
the folder the caller names (the user's providers folder, say), which from then
on overrides the preset.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from polyport_core.errors import InvalidConfigError
from polyport_core.spec._aliases import _MODEL_ALIASES, _PROVIDER_ALIASES
from polyport_core.spec._errors import SpecError
from polyport_core.spec._loader import load_file
from polyport_core.spec._models import ProviderSpec

__all__ = ["ConfigPatch", "PatchResult", "SpecPatchError", "editable_path", "write_spec_file"]

Doc = dict[str, Any]
_Op = Callable[[Doc], None]


class SpecPatchError(InvalidConfigError):
    """A provider file cannot be changed (a plugin's spec, a broken file, or a result that would not load)."""


@dataclass(frozen=True)
class PatchResult:
    """What a patch did: the file written, the preset it copied first (if any), one line per change."""

    path: Path
    changes: list[str]
    copied_from: str | None = None


@dataclass
class ConfigPatch:
    """Changes to one provider's file, applied together: ``ConfigPatch().set_default_model("m").apply(spec)``.

    Field names are canonical (``context_window``); an existing key keeps the
    spelling the file uses for it.
    """

    _ops: list[tuple[str, _Op]] = field(default_factory=list)

    def set_default_model(self, model: str) -> ConfigPatch:
        """The model used when a caller names only the provider."""
        _check_id(model)

        def op(doc: Doc) -> None:
            doc[_spelling(doc, "default_model", _PROVIDER_ALIASES)] = model

        self._ops.append((f"default_model = {model}", op))
        return self

    def add_models(self, models: Iterable[str | Mapping[str, Any]]) -> ConfigPatch:
        """Declare models (ids, or ``{"id": ..., facts}``); a model already declared keeps its facts
        and only gains those it lacks."""
        entries = [{"id": m} if isinstance(m, str) else dict(m) for m in models]
        for entry in entries:
            _check_id(entry.get("id"))
        if not entries:
            return self

        def op(doc: Doc) -> None:
            for wanted in entries:
                model_id = wanted["id"]
                entry = _model_entry(doc, model_id)
                for name, value in wanted.items():
                    if name != "id" and _spelling(entry, name, _MODEL_ALIASES) not in entry:
                        entry[name] = value

        ids = ", ".join(e["id"] for e in entries)
        self._ops.append((f"models += {ids}", op))
        return self

    def set_allowed_models(self, models: Iterable[str] | None) -> ConfigPatch:
        """The allowlist: any other model id is refused before sending. ``None`` removes it."""
        allowed = None if models is None else list(dict.fromkeys(models))
        for model in allowed or []:
            _check_id(model)

        def op(doc: Doc) -> None:
            key = _spelling(doc, "allowed_models", _PROVIDER_ALIASES)
            if allowed is None:
                doc.pop(key, None)
            else:
                doc[key] = allowed

        self._ops.append((f"allowed_models = {', '.join(allowed) if allowed is not None else '(removed)'}", op))
        return self

    def set_model_fields(self, model: str, fields: Mapping[str, Any]) -> ConfigPatch:
        """Set declared facts of one model (adding it when absent), overwriting the file's values."""
        _check_id(model)
        values = dict(fields)

        def op(doc: Doc) -> None:
            entry = _model_entry(doc, model)
            for name, value in values.items():
                entry[_spelling(entry, name, _MODEL_ALIASES)] = value

        shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in values.items())
        self._ops.append((f"models[{model}]: {shown}", op))
        return self

    def describe(self) -> list[str]:
        """One line per change, in order."""
        return [label for label, _ in self._ops]

    def apply_to_text(self, text: str, provider: str | None = None, *, source: str = "<text>") -> str:
        """The patched JSON text (no I/O): same key order, indentation and final newline."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecPatchError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}); fix it first") from None
        doc = _provider_doc(data, provider, source)
        for _, op in self._ops:
            op(doc)
        return _dumps(data, text)

    def apply_file(self, path: str | Path, provider: str | None = None) -> PatchResult:
        """Patch the file at ``path`` in place (atomically, only if the result loads)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecPatchError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
        _atomic_write(path, self.apply_to_text(text, provider, source=str(path)), provider=provider)
        return PatchResult(path=path, changes=self.describe())

    def apply(self, spec: ProviderSpec, *, copy_to: Path | None = None) -> PatchResult:
        """Patch the file ``spec`` was loaded from. A preset is copied to ``copy_to`` first (and the
        copy patched); without ``copy_to`` a preset is refused with a message saying so."""
        path, copied = editable_path(spec, copy_to)
        result = self.apply_file(path, spec.id)
        return PatchResult(path=result.path, changes=result.changes, copied_from=copied)


def editable_path(spec: ProviderSpec, copy_to: Path | None = None) -> tuple[Path, str | None]:
    """The file a patch of ``spec`` should change, and the preset copied to make it (if one was).

    A file spec is its own file; a preset is copied (once) into ``copy_to``; a
    plugin's spec has no file, so it is refused.
    """
    source = spec.source
    if source.startswith("preset:"):
        if copy_to is None:
            raise SpecPatchError(
                f"provider {spec.id!r} is a built-in preset ({source}), which is read-only; "
                "give a folder for an editable copy (the CLI uses the user's providers folder)",
                provider=spec.id,
            )
        return _copy_preset(spec, copy_to), source
    if not source or source.startswith("plugin:"):
        where = source or "code"
        raise SpecPatchError(f"provider {spec.id!r} comes from {where}; it has no file to change", provider=spec.id)
    return Path(source), None


def write_spec_file(doc: Mapping[str, Any], path: str | Path, *, overwrite: bool = False, indent: int = 2) -> Path:
    """Write a new provider file (atomically, only if it loads). An existing file is refused unless
    ``overwrite``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise SpecPatchError(f"{path} already exists; choose another id or pass overwrite")
    text = json.dumps(dict(doc), indent=indent, ensure_ascii=False) + "\n"
    _atomic_write(path, text, provider=str(doc.get("id")) if doc.get("id") else None)
    return path


def _check_id(model: object) -> None:
    if not isinstance(model, str) or not model.strip() or model != model.strip():
        raise SpecPatchError(f"a model id must be a non-empty string without surrounding spaces, not {model!r}")


def _spelling(entry: Mapping[str, Any], canonical: str, aliases: Mapping[str, str]) -> str:
    """The key ``entry`` already uses for ``canonical`` (an alias spelling), else ``canonical``."""
    if canonical in entry:
        return canonical
    for alias, name in aliases.items():
        if name == canonical and alias in entry:
            return alias
    return canonical


def _model_id(entry: Any) -> Any:
    if isinstance(entry, dict):
        return entry.get("id") or entry.get("name")
    return entry


def _model_entry(doc: Doc, model: str) -> Doc:
    """The model's entry in ``doc["models"]`` (a bare-string entry becomes an object), appended when
    absent with the id key its siblings use (goose writes ``name``)."""
    models = doc.setdefault("models", [])
    if not isinstance(models, list):
        raise SpecPatchError(f"'models' is {type(models).__name__}, not a list; fix the file first")
    for index, entry in enumerate(models):
        if _model_id(entry) != model:
            continue
        if isinstance(entry, dict):
            return entry
        replaced: Doc = {"id": model}
        models[index] = replaced
        return replaced
    siblings = [e for e in models if isinstance(e, dict)]
    key = "name" if siblings and all("name" in e and "id" not in e for e in siblings) else "id"
    added: Doc = {key: model}
    models.append(added)
    return added


def _provider_doc(data: Any, provider: str | None, source: str) -> Doc:
    if not isinstance(data, dict):
        raise SpecPatchError(f"{source}: not a JSON object; fix it first")
    entries = data.get("providers")
    if isinstance(entries, dict) and "engine" not in data:
        for key, entry in entries.items():
            if isinstance(entry, dict) and provider in (entry.get("id"), entry.get("name"), key):
                return entry
        raise SpecPatchError(f"{source}: no provider {provider!r} under 'providers'", provider=provider)
    return data


def _indent_of(text: str) -> int | str | None:
    match = re.search(r"\n([ \t]+)\S", text)
    if match is None:
        return None
    indent = match.group(1)
    return indent if "\t" in indent else len(indent)


def _dumps(data: Any, original: str) -> str:
    ending = "\n" if original.endswith("\n") else ""
    return json.dumps(data, indent=_indent_of(original), ensure_ascii=False) + ending


def _atomic_write(path: Path, text: str, *, provider: str | None) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, checked to load first,
    fsynced, then renamed over the old file (whose permission bits it keeps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            load_file(tmp)
        except SpecError as exc:
            problem = str(exc).replace(str(tmp), str(path))
            raise SpecPatchError(f"{path} not written: the changed file would not load: {problem}",
                                 provider=provider) from None  # fmt: skip
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _copy_preset(spec: ProviderSpec, copy_to: Path) -> Path:
    name = spec.source.removeprefix("preset:")
    target = Path(copy_to).expanduser() / name
    if target.exists():
        raise SpecPatchError(
            f"{target} already exists (but the registry loaded the preset, so that file did not load or "
            "holds another provider); fix or remove it first",
            provider=spec.id,
        )
    text = files("polyport_core").joinpath("registry", "presets", name).read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("$schema", None)  # the relative schema path only resolves inside the package
    _atomic_write(target, _dumps(data, text if text.endswith("\n") else text + "\n"), provider=spec.id)
    return target
