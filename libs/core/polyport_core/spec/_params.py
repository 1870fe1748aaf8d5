"""A model's declared call options (``params``): option name → JSON Schema of its value.

Compiled once per schema (``jsonschema`` is imported only when a model declares
``params``), then checked per call by ``polyport_core.chat._validation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ParamCheck", "check_params_schema", "compile_params"]


class ParamCheck:
    """One declared option, compiled: ``problem(value)`` says why a value is refused (or None)."""

    __slots__ = ("_validator", "name", "schema")

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        from jsonschema import Draft202012Validator

        self.name = name
        self.schema = dict(schema)
        self._validator = Draft202012Validator(self.schema)

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is outside the declared schema, or None when it is accepted."""
        if self._validator.is_valid(value):
            return None
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(value))
        return error.message if error is not None else "not accepted"


def check_params_schema(params: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming the option whose schema is not a valid JSON Schema."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for name, schema in params.items():
        if not isinstance(schema, dict):
            raise ValueError(f"params.{name}: a JSON Schema object like {{'type': 'number'}}")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise ValueError(f"params.{name}: a valid JSON Schema ({exc.message})") from None


def compile_params(params: Mapping[str, Any]) -> tuple[ParamCheck, ...]:
    """One ``ParamCheck`` per declared option."""
    return tuple(ParamCheck(name, schema) for name, schema in params.items())
