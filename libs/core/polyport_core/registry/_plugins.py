"""Provider plugins from the ``polyport.providers`` entry-point group.

A plugin (in the spirit of Genkit's) is an object, a class or a factory
function that yields an object with:

- ``init()`` (optional): one-time setup, called before anything else;
- ``list()``: the provider specs it offers (``ProviderSpec`` or plain dicts);
- ``resolve(name)`` (optional): a spec for a provider id not in ``list()``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, runtime_checkable

from polyport_core.spec import ProviderSpec, SpecError, parse_spec

__all__ = ["PLUGIN_GROUP", "LoadedPlugin", "ProviderPlugin", "discover_plugins"]

PLUGIN_GROUP = "polyport.providers"


@runtime_checkable
class ProviderPlugin(Protocol):
    """What a ``polyport.providers`` entry point must provide."""

    def list(self) -> Iterable[ProviderSpec | dict[str, Any]]:
        """Provider specs offered by this plugin."""
        ...


class LoadedPlugin:
    """A plugin that loaded, with the name of its entry point."""

    def __init__(self, name: str, value: str, plugin: Any) -> None:
        self.name = name
        self.value = value
        self.plugin = plugin
        self.source = f"plugin:{name}"

    def specs(self) -> tuple[list[ProviderSpec], list[SpecError]]:
        """The plugin's specs, each validated like a file; bad ones become errors."""
        specs: list[ProviderSpec] = []
        errors: list[SpecError] = []
        try:
            items = list(self.plugin.list())
        except Exception as exc:  # a broken plugin must not break discovery
            return [], [SpecError(self.source, (), "list() to return provider specs", _exc(exc))]
        for index, item in enumerate(items):
            try:
                specs.append(self._coerce(item, (index,)))
            except SpecError as exc:
                errors.append(exc)
        return specs, errors

    def resolve(self, name: str) -> ProviderSpec | None:
        """A spec for ``name`` from ``resolve()``, if the plugin has one."""
        resolver = getattr(self.plugin, "resolve", None)
        if resolver is None:
            return None
        item = resolver(name)
        return None if item is None else self._coerce(item, ())

    def _coerce(self, item: Any, loc: tuple[int, ...]) -> ProviderSpec:
        if isinstance(item, ProviderSpec):
            item._source = self.source
            return item
        return parse_spec(item, self.source, prefix=loc)


def discover_plugins(group: str = PLUGIN_GROUP) -> tuple[list[LoadedPlugin], list[SpecError]]:
    """Load and ``init()`` every plugin in the group; failures become errors."""
    plugins: list[LoadedPlugin] = []
    errors: list[SpecError] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            plugins.append(LoadedPlugin(ep.name, ep.value, _instantiate(ep)))
        except Exception as exc:  # report, keep discovering the others
            errors.append(
                SpecError(f"plugin:{ep.name} ({ep.value})", (), "a loadable provider plugin", _exc(exc))
            )
    return plugins, errors


def _instantiate(ep: EntryPoint) -> Any:
    target = ep.load()
    if inspect.isclass(target) or (callable(target) and not hasattr(target, "list")):
        target = target()
    if not hasattr(target, "list"):
        raise TypeError("the plugin object has no list() method")
    init = getattr(target, "init", None)
    if callable(init):
        init()
    return target


def _exc(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:120] if text else type(exc).__name__
