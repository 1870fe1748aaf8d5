"""Keywords of the langchain-* classes a polyport class replaces, routed instead of dropped.

A class lists, in ``_param_routes``, the keywords it does not declare as fields but knows
from the class it replaces (``ChatOllama(num_predict=64)``, ``ChatOpenAI(service_tier="flex")``).
Each route either makes the keyword work the same — under another field, inside a dict
field, or as a request-body field — or refuses it with an error naming what to use
instead. Nothing a user passes is silently ignored; the parity test reads these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from polyport_core.errors import InvalidConfigError

__all__ = [
    "ParamRoute",
    "apply_param_routes",
    "converted",
    "into",
    "renamed",
    "request_field",
    "unsupported",
]

RouteKind = Literal["mapped", "error"]


@dataclass(frozen=True)
class ParamRoute:
    """Where one foreign keyword goes: ``mapped`` (works the same) or ``error`` (refused)."""

    kind: RouteKind
    note: str
    """What happens, in a phrase (shown in the parity table and in the error)."""
    apply: Callable[[dict[str, Any], str, Any], None] | None = None
    accepts: tuple[Any, ...] = field(default=(None,))
    """Values of a refused keyword that mean "off" and are accepted as such (``use_responses_api=False``)."""


def renamed(to: str) -> ParamRoute:
    """Works the same as the field ``to`` (which wins when both are given)."""

    def apply(values: dict[str, Any], name: str, value: Any) -> None:
        values.setdefault(to, value)

    return ParamRoute("mapped", f"same as `{to}`", apply)


def into(container: str, key: str | None = None) -> ParamRoute:
    """Goes into the dict field ``container`` under ``key`` (default: its own name)."""

    def apply(values: dict[str, Any], name: str, value: Any) -> None:
        inner = dict(values.get(container) or {})
        inner.setdefault(key or name, value)
        values[container] = inner

    return ParamRoute("mapped", f'sent as `{container}["{key or "<name>"}"]`', apply)


def request_field(body_name: str | None = None) -> ParamRoute:
    """Sent as the request-body field ``body_name`` (default: its own name), via ``model_kwargs``."""
    return into("model_kwargs", body_name) if body_name else _request_field_same_name()


def _request_field_same_name() -> ParamRoute:
    route = into("model_kwargs")
    return ParamRoute("mapped", "sent as the request field of the same name", route.apply)


def converted(note: str, apply: Callable[[dict[str, Any], str, Any], None]) -> ParamRoute:
    """Works the same through ``apply`` (e.g. ``effort`` → ``output_config.effort``)."""
    return ParamRoute("mapped", note, apply)


def unsupported(instead: str, *, accepts: tuple[Any, ...] = (None,)) -> ParamRoute:
    """Refused with an error saying ``instead``; values in ``accepts`` are taken as "off"."""
    return ParamRoute("error", instead, None, accepts)


def apply_param_routes(cls: type, values: Any) -> Any:
    """``values`` with every routed keyword moved where it belongs; a refused one raises."""
    routes: Mapping[str, ParamRoute] = getattr(cls, "_param_routes", {})
    if not routes or not isinstance(values, dict):
        return values
    fields = getattr(cls, "model_fields", {})
    declared = set(fields) | {info.alias for info in fields.values() if getattr(info, "alias", None)}
    hits = [name for name in values if name in routes and name not in declared]
    if not hits:
        return values
    values = dict(values)
    for name in hits:
        route, value = routes[name], values.pop(name)
        if route.kind == "error":
            if any(value is ok or value == ok for ok in route.accepts):
                continue
            raise InvalidConfigError(
                f"{cls.__name__} does not support {name}={value!r}: {route.note}",
                model=str(values.get("model") or values.get("model_name") or "") or None,
            )
        if route.apply is not None:
            route.apply(values, name, value)
    return values
