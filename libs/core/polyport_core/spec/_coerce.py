"""Typed values from ``${ENV}`` text: ``"timeout": "${TIMEOUT:-30}"`` is the number 30.

The spec models are strict (a literal ``"30"`` where a number belongs is an
error), so only values that came from the environment are converted, and only
where the field wants a number or a boolean.
"""

from __future__ import annotations

import types
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from polyport_core.spec._aliases import Loc

__all__ = ["coerce_env_values"]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def coerce_env_values(doc: dict[str, Any], locs: set[Loc], root: type[BaseModel]) -> None:
    """Convert, in place, each interpolated value at ``locs`` to the scalar type its field wants.

    Text that does not read as that type is left as it is, so validation names it.
    """
    for loc in sorted(locs, key=len):
        parent = _container(doc, loc[:-1])
        if parent is None:
            continue
        key = loc[-1]
        try:
            value = parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(value, str):
            continue
        kinds = _scalar_kinds(root, loc)
        converted = _convert(value.strip(), kinds)
        if converted is not None:
            parent[key] = converted


def _container(doc: Any, path: Loc) -> Any:
    node = doc
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict | list) else None


def _scalar_kinds(root: type[BaseModel], loc: Loc) -> set[type]:
    """The scalar types the field at ``loc`` accepts (empty when it accepts text or is unknown)."""
    annotation: Any = root
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return set()
    leaves = set(_flatten(annotation))
    if str in leaves:
        return set()
    return leaves & {bool, int, float, Decimal}


def _step(annotation: Any, part: str | int) -> Any:
    for option in _flatten(annotation):
        if isinstance(part, str) and isinstance(option, type) and issubclass(option, BaseModel):
            field = option.model_fields.get(part)
            if field is not None:
                return field.annotation
        origin = get_origin(option)
        if isinstance(part, int) and origin is list:
            return get_args(option)[0]
        if isinstance(part, str) and origin is dict:
            return get_args(option)[1]
    return None


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _flatten(arg)]
    return [annotation]


def _convert(text: str, kinds: set[type]) -> Any:
    if bool in kinds and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    if int in kinds:
        try:
            return int(text)
        except ValueError:
            pass
    if float in kinds:
        try:
            return float(text)
        except ValueError:
            pass
    if Decimal in kinds:
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
    return None
