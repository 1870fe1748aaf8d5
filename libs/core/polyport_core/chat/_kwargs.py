"""No silent drops: an unknown constructor keyword warns and becomes a request field.

langchain-openai's ``build_extra`` behaviour, once for every polyport chat model:
``ChatX(model="m", top_k=5)`` on a class without ``top_k`` warns (naming the
keyword and the class) and sends ``top_k`` through ``model_kwargs``, instead of
pydantic dropping it without a word. A credential-like keyword (``api_key`` on a
class without one) is the exception: it is ignored with a warning, never sent in
a request body nor shown in ``model_kwargs``.
"""

from __future__ import annotations

import re
import sys
import warnings
from functools import cache
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel, SecretStr

from polyport_core.chat._params import apply_param_routes

__all__ = ["move_unknown_kwargs"]


@cache
def _known_names(cls: type[BaseModel]) -> frozenset[str]:
    names: set[str] = set()
    for name, info in cls.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
        alias = info.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, AliasPath) and alias.path and isinstance(alias.path[0], str):
            names.add(alias.path[0])
    return frozenset(names)


_SECRET_NAME = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|credentials?)$", re.IGNORECASE)
"""Keywords never moved into the request body, even when unknown (``api_key``, ``access_token``...)."""
_INTERNAL = ("pydantic", "polyport_", "langchain_core.")


def _caller_level() -> int:
    """``stacklevel`` that points the warning at the code constructing the model."""
    frame = sys._getframe(2)
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    return level


def move_unknown_kwargs(cls: type[BaseModel], values: Any) -> Any:
    """``values`` with every keyword ``cls`` does not declare moved into ``model_kwargs`` (warned)."""
    if not isinstance(values, dict):
        return values
    values = apply_param_routes(cls, values)  # the replaced langchain class's keywords first
    known = _known_names(cls)
    unknown = [name for name in values if name not in known]
    if not unknown:
        return values
    values = dict(values)
    extra = dict(values.get("model_kwargs") or {})
    for name in unknown:
        if name in extra:
            raise ValueError(f"{cls.__name__}: {name!r} was given twice, as a keyword and in model_kwargs")
        if _SECRET_NAME.search(name) or isinstance(values[name], SecretStr):
            values.pop(name)
            warnings.warn(
                f"{cls.__name__} has no parameter {name!r}; it looks like a credential, so it was "
                "ignored rather than sent in the request body (set auth through the class's own fields "
                "or headers)",
                UserWarning,
                stacklevel=_caller_level(),
            )
            continue
        warnings.warn(
            f"{cls.__name__} has no parameter {name!r}; it was moved to model_kwargs and is sent "
            "with every request as-is (check the spelling, or pass it in model_kwargs to silence this)",
            UserWarning,
            stacklevel=_caller_level(),
        )
        extra[name] = values.pop(name)
    values["model_kwargs"] = extra
    return values
