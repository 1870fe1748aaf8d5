"""Find provider specs: presets → plugins → goose's custom providers → user dir → project dir,
later overriding earlier."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import platformdirs

from polyport_core.errors import InvalidConfigError
from polyport_core.registry._plugins import LoadedPlugin, discover_plugins
from polyport_core.registry._presets import preset_env
from polyport_core.spec import ProviderSpec, SpecError, load_file, load_paths

__all__ = ["Registry", "get_registry", "goose_dir", "project_paths", "reload_registry", "user_dir"]

ENV_PATH = "POLYPORT_PROVIDERS_PATH"


def user_dir() -> Path:
    """``~/.config/polyport/providers`` (or the platform's equivalent)."""
    return Path(platformdirs.user_config_dir("polyport")) / "providers"


def goose_dir(env: Mapping[str, str] | None = None) -> Path:
    """goose's own custom-provider folder: ``$XDG_CONFIG_HOME/goose/custom_providers``
    (default ``~/.config/goose/custom_providers``, as goose resolves it on Linux and macOS)."""
    environ = os.environ if env is None else env
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".config"
    return root / "goose" / "custom_providers"


def project_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """``./polyport/providers`` then each entry of ``$POLYPORT_PROVIDERS_PATH`` (``:``-separated)."""
    environ = os.environ if env is None else env
    paths = [Path.cwd() / "polyport" / "providers"]
    paths += [Path(p) for p in environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    return paths


@dataclass
class Registry:
    """Every known provider spec by id, where each came from, and what failed to load."""

    specs: dict[str, ProviderSpec] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)
    plugins: list[LoadedPlugin] = field(default_factory=list)
    overridden: dict[str, list[str]] = field(default_factory=dict)
    """provider id → sources that an later source replaced."""
    governors: dict[str, Any] = field(default_factory=dict, repr=False)
    """provider id → the shared default ``Governor`` of that provider (see ``_governance``)."""

    @classmethod
    def discover(
        cls,
        *,
        presets: bool = True,
        plugins: bool = True,
        user: Path | bool | None = True,
        project: Iterable[str | Path] | None = None,
        env: Mapping[str, str] | None = None,
        goose: Path | bool | None = None,
    ) -> Registry:
        """Build a registry from the standard sources (each can be switched off for tests).

        ``goose`` (default: on whenever ``user`` is) reads goose's custom providers
        (``goose_dir()``) just before polyport's user folder, so a file of the same id
        in polyport's own folders wins.
        """
        registry = cls()
        if presets:
            registry._add_all(*_load_presets(env))
        if plugins:
            loaded, errors = discover_plugins()
            registry.plugins = loaded
            registry.errors.extend(errors)
            for plugin in loaded:
                registry._add_all(*plugin.specs())
        goose_source = bool(user) if goose is None else goose
        if goose_source:
            folder = goose_dir(env) if goose_source is True else goose_source
            if isinstance(folder, Path):
                found = load_paths([folder], env=env)
                registry._add_all(found.specs, found.errors)
        if user:
            directory = user_dir() if user is True else user
            if isinstance(directory, Path):
                found = load_paths([directory], env=env)
                registry._add_all(found.specs, found.errors)
        paths = project_paths(env) if project is None else [Path(p) for p in project]
        found = load_paths(paths, env=env)
        registry._add_all(found.specs, found.errors)
        return registry

    def add(self, spec: ProviderSpec) -> None:
        """Register (or override) one spec."""
        previous = self.specs.get(spec.id)
        if previous is not None:
            self.overridden.setdefault(spec.id, []).append(previous.source)
        self.specs[spec.id] = spec

    def get(self, provider: str) -> ProviderSpec:
        """The spec for ``provider`` (asking plugins' ``resolve`` last); raises if unknown."""
        spec = self.specs.get(provider)
        if spec is None:
            for plugin in self.plugins:
                resolved = plugin.resolve(provider)
                if resolved is not None:
                    self.add(resolved)
                    return resolved
            known = ", ".join(sorted(self.specs)) or "none"
            bad = [e for e in self.errors if e.provider == provider]
            hint = f"; its spec failed to load: {bad[0].detail}" if bad else f"; known providers: {known}"
            raise InvalidConfigError(f"unknown provider {provider!r}{hint}", provider=provider)
        return spec

    def providers(self, *, include_disabled: bool = False) -> list[ProviderSpec]:
        """Specs sorted by priority (high first) then id."""
        specs = [s for s in self.specs.values() if include_disabled or s.enabled]
        return sorted(specs, key=lambda s: (-s.priority, s.id))

    def _add_all(self, specs: list[ProviderSpec], errors: list[SpecError]) -> None:
        for spec in specs:
            self.add(spec)
        self.errors.extend(errors)


def _load_presets(env: Mapping[str, str] | None) -> tuple[list[ProviderSpec], list[SpecError]]:
    specs: list[ProviderSpec] = []
    errors: list[SpecError] = []
    folder = files("polyport_core.registry").joinpath("presets")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        with as_file(entry) as path:
            try:
                for spec in load_file(path, env=preset_env(env)):
                    spec._source = f"preset:{entry.name}"
                    specs.append(spec)
            except SpecError as exc:
                errors.append(exc)
    return specs, errors


_lock = threading.Lock()
_default: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, discovered once on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Registry.discover()
        return _default


def reload_registry(registry: Registry | None = None) -> Registry:
    """Rediscover (or install ``registry`` as) the process-wide registry."""
    global _default
    with _lock:
        _default = registry if registry is not None else Registry.discover()
        return _default
