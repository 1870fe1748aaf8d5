"""One clear line per bad spec: file, JSON path, what was expected, what was found."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from polyport_core.errors import InvalidConfigError
from polyport_core.spec._aliases import Loc, Origins, original_loc

__all__ = ["SpecError", "format_loc", "from_validation_error"]

_SECRETISH = re.compile(r"key|secret|token|password|authorization|header_value|headers|proxy", re.I)
"""Fields whose found values an error never repeats (``proxy``: a URL whose userinfo is a password)."""


class SpecError(InvalidConfigError):
    """A provider spec file is invalid; ``str()`` is one line naming file and JSON path."""

    def __init__(
        self,
        file: str,
        loc: Loc,
        expected: str,
        found: str,
        *,
        provider: str | None = None,
        more: list[SpecError] | None = None,
    ) -> None:
        self.file = file
        self.loc = loc
        self.json_path = format_loc(loc)
        self.expected = expected
        self.found = found
        self.more: list[SpecError] = list(more or [])
        """The file's other problems (``providers validate`` prints each)."""
        message = f"{file}: {self.json_path}: expected {expected}, found {found}"
        if self.more:
            message += f" (and {len(self.more)} more problem{'s' if len(self.more) > 1 else ''})"
        super().__init__(message, provider=provider)

    @property
    def problems(self) -> list[SpecError]:
        """Every problem of the file: this one first, then the others, one ``SpecError`` each."""
        return [self, *self.more]

    def line(self) -> str:
        """This problem alone, one line: file, JSON path, expected, found."""
        return f"{self.file}: {self.json_path}: expected {self.expected}, found {self.found}"


def format_loc(loc: Loc) -> str:
    """A JSON path like ``$.models[1].pricing.input``."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][\w$]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def show(value: Any, loc: Loc = ()) -> str:
    """A short JSON rendering of a found value, redacted when the field may hold a secret.

    Everything under ``auth`` and every secret-named field is hidden whole; elsewhere
    a credential-looking string (or a value under a secret-named key) prints as ``***``.
    """
    if any(isinstance(p, str) and (p == "auth" or _SECRETISH.search(p)) for p in loc):
        return f"{_kind(value)} (value hidden)"
    value = _masked(value)
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    names = {str: "a string", list: "an array", dict: "an object", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else "a value")


def _masked(value: Any) -> Any:
    from polyport_core.redaction import MASK, looks_like_secret, redact_text

    if isinstance(value, str):
        return MASK if looks_like_secret(value) else redact_text(value)
    if isinstance(value, dict):
        return {
            k: MASK if isinstance(k, str) and (k == "auth" or _SECRETISH.search(k)) else _masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
    "string_too_short": "a non-empty string",
    "too_short": "a non-empty value",
}


def from_validation_error(
    error: ValidationError, file: str, origins: Origins, *, prefix: Loc = (), provider: str | None = None
) -> SpecError:
    """The first (most relevant) pydantic error as a ``SpecError`` in the user's spelling; the
    others ride along in ``.more``."""
    errors = []
    for detail in sorted(error.errors(), key=_rank):
        loc = prefix + original_loc(tuple(detail["loc"]), origins)
        expected, found = _describe(detail, loc)
        errors.append(SpecError(file, loc, expected, found, provider=provider))
    first = errors[0]
    return SpecError(file, first.loc, first.expected, first.found, provider=provider, more=errors[1:])


def _rank(detail: ErrorDetails) -> tuple[int, int]:
    # Report problems in document order: shallow structural errors first.
    return (0 if detail["type"] in ("missing", "extra_forbidden") else 1, len(detail["loc"]))


def _describe(detail: ErrorDetails, loc: Loc) -> tuple[str, str]:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    if kind == "missing":
        return "a value (required field)", "nothing"
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        known = _known_fields(detail)
        hint = difflib.get_close_matches(name, known, n=1)
        expected = f"a known field (did you mean {hint[0]!r}?)" if hint else "a known field"
        return expected, f"unknown field {name!r}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}", show(value, loc)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ops = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
        bound = next(iter(ctx.values()), "?")
        return f"a number {ops[kind]} {bound}", show(value, loc)
    if kind == "value_error":
        message = str(ctx.get("error", detail["msg"]))
        return message, show(value, loc)
    if kind == "url_parsing":
        return "a URL", show(value, loc)
    return _EXPECTED.get(kind, detail["msg"].replace("Input should be ", "").lower()), show(value, loc)


def _known_fields(detail: ErrorDetails) -> list[str]:
    from polyport_core.spec import _models

    loc = tuple(detail["loc"])
    names: dict[tuple[str, ...], type[Any]] = {
        (): _models.ProviderSpec,
        ("auth",): _models.AuthSpec,
        ("quirks",): _models.QuirksSpec,
        ("limits",): _models.LimitsSpec,
        ("budget",): _models.BudgetSpec,
        ("models",): _models.ModelSpec,
        ("models", "pricing"): _models.PricingSpec,
        ("models", "quirks"): _models.QuirksSpec,
        ("models", "limits"): _models.LimitsSpec,
    }
    key = tuple(p for p in loc[:-1] if isinstance(p, str))
    model = names.get(key)
    return list(model.model_fields) if model else []
