"""Render an ``http`` spec's body template and prompt from one chat request."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import BaseMessage

from polyport_core.spec import HTTPPromptSpec

__all__ = ["render_body", "render_prompt"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DROP = object()


def render_prompt(messages: list[BaseMessage], spec: HTTPPromptSpec) -> str:
    """Messages as one prompt string: ``prefix`` + one ``message`` per message + ``suffix``."""
    parts = [spec.prefix]
    for message in messages:
        role = spec.roles.get(message.type, message.type)
        parts.append(spec.message.replace("{role}", role).replace("{content}", message.text))
    parts.append(spec.suffix)
    return "".join(parts)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _render(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            value = values.get(whole.group(1))
            return _DROP if value is None else value
        return _PLACEHOLDER.sub(lambda m: _text(values.get(m.group(1))), template)
    if isinstance(template, dict):
        rendered = {key: _render(value, values) for key, value in template.items()}
        return {key: value for key, value in rendered.items() if value is not _DROP}
    if isinstance(template, list):
        return [item for item in (_render(value, values) for value in template) if item is not _DROP]
    return template


def render_body(template: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The body: ``"{name}"`` → the typed value (key dropped when unset), ``{name}`` in text → formatted."""
    body: dict[str, Any] = _render(template, values)
    return body
