"""Refuse a request that contradicts what is declared about the model, before anything is sent.

The facts are the model's langchain ``profile`` (declared in a spec, else the
bundled catalog) plus the call options it accepts (a spec's ``params``). A
refusal is a ``RequestValidationError`` naming the provider, the model, the fact
and where it was declared; it happens before the governance hooks, so a refused
call costs nothing and is not recorded as a provider failure. Unknown facts
(``None``) never refuse.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage

from polyport_core.catalog import catalog_entry
from polyport_core.errors import ContextWindowRefusedError, RequestValidationError
from polyport_core.spec import ParamCheck, compile_params
from polyport_core.tokens import count_message_tokens

if TYPE_CHECKING:
    from polyport_core.chat._model import ProviderChatModel

__all__ = ["RequestValidator"]

# profile key → the spec field that declares it (what a user edits)
_SPEC_NAME = {
    "max_output_tokens": "max_output_tokens",
    "max_input_tokens": "context_window",
    "tool_calling": "tools",
    "tool_choice": "tool_choice",
    "image_inputs": "vision",
    "structured_output": "json_schema",
}
_IMAGE_BLOCKS = frozenset({"image", "image_url", "input_image"})
_UNFORCED_CHOICES = frozenset({"auto", "none"})
# A token is at least one UTF-8 byte, and a character at most 6 bytes once JSON-escaped:
# a prompt this many times smaller than the window cannot overflow it (no tokenizing).
_BYTES_PER_CHAR = 6
_MESSAGE_OVERHEAD = 16


class RequestValidator:
    """The declared facts and accepted options of one model, compiled once per model."""

    __slots__ = ("facts", "facts_source", "key", "params", "profile")

    def __init__(
        self,
        profile: Mapping[str, Any] | None,
        facts_source: str | None,
        params_schema: Mapping[str, Any] | None,
    ) -> None:
        self.key = (profile, facts_source, params_schema)
        self.profile = profile
        self.facts_source = facts_source
        self.facts = {k: v for k in _SPEC_NAME if (v := (profile or {}).get(k)) is not None}
        self.params: tuple[ParamCheck, ...] = compile_params(params_schema) if params_schema else ()

    @classmethod
    def for_model(cls, model: ProviderChatModel, cached: RequestValidator | None) -> RequestValidator:
        """``cached`` while the model's profile, facts source and params are the same objects."""
        if cached is not None:
            profile, source, params = cached.key
            if profile is model.profile and source == model.facts_source and params is model.params_schema:
                return cached
        return cls(model.profile, model.facts_source, model.params_schema)

    # ------------------------------------------------------------------ checks
    def check(
        self,
        model: ProviderChatModel,
        messages: Sequence[BaseMessage],
        payload: dict[str, Any],
        kwargs: Mapping[str, Any],
    ) -> None:
        """Raise ``RequestValidationError`` when this call contradicts a declared fact or option."""
        facts = self.facts
        if facts:
            limit = facts.get("max_output_tokens")
            if limit is not None:
                cap = model._max_output_tokens(payload)
                if cap is not None and cap > limit:
                    raise self._refuse(
                        model, "max_output_tokens", f"max_tokens={cap} is above max_output_tokens={limit}"
                    )
            tools = kwargs.get("tools")
            if tools and facts.get("tool_calling") is False:
                raise self._refuse(model, "tool_calling", f"{len(tools)} tool(s) bound, but tools: false")
            choice = kwargs.get("tool_choice")
            if facts.get("tool_choice") is False and _forced(choice):
                raise self._refuse(
                    model, "tool_choice", f"tool_choice={choice!r} forces a tool call, but tool_choice: false"
                )
            if facts.get("image_inputs") is False and _has_image(messages):
                raise self._refuse(model, "image_inputs", "the prompt has image content, but vision: false")
            if facts.get("structured_output") is False and _asks_json_schema(kwargs):
                raise self._refuse(
                    model, "structured_output", "json_schema structured output requested, but json_schema: false"
                )
            window = facts.get("max_input_tokens")
            if window is not None:
                self._check_window(model, messages, tools, int(window))
        if self.params:
            self._check_params(model, payload, kwargs)

    def _check_window(self, model: ProviderChatModel, messages: Sequence[BaseMessage], tools: Any, window: int) -> None:
        if _upper_bound(messages, tools) <= window:
            return
        estimate = count_message_tokens(messages, model.model_name, tools)
        if estimate > window:
            raise self._refuse(
                model,
                "max_input_tokens",
                f"the prompt is about {estimate} tokens (offline estimate), above context_window={window}",
                error=ContextWindowRefusedError,
            )

    def _check_params(self, model: ProviderChatModel, payload: Mapping[str, Any], kwargs: Mapping[str, Any]) -> None:
        for check in self.params:
            value = _effective(model, check.name, payload, kwargs)
            if value is None:
                continue
            problem = check.problem(value)
            if problem is not None:
                where = model.facts_source or "the model's params_schema"
                raise RequestValidationError(
                    f"{check.name}={value!r} is not accepted: {problem} (params.{check.name} declared in {where})",
                    fact=f"params.{check.name}",
                    declared_in=where,
                    provider=model.provider,
                    model=model.model_name,
                )

    # ------------------------------------------------------------------ messages
    def _refuse(
        self,
        model: ProviderChatModel,
        fact: str,
        what: str,
        *,
        error: type[RequestValidationError] = RequestValidationError,
    ) -> RequestValidationError:
        where, note = self._where(model, fact)
        return error(
            f"{what} ({_SPEC_NAME[fact]} {note} {where}); refused before sending",
            fact=_SPEC_NAME[fact],
            declared_in=where,
            provider=model.provider,
            model=model.model_name,
        )

    def _where(self, model: ProviderChatModel, fact: str) -> tuple[str, str]:
        """Where ``fact`` comes from: the spec unless the bundled catalog says the same."""
        entry = catalog_entry(model.model_name, model.provider or None)
        value = self.facts.get(fact)
        if entry is not None and entry.get(fact) == value:
            override = f"; declare it in {self.facts_source} to override" if self.facts_source else ""
            return f"the bundled catalog{override}", "from"
        if self.facts_source:
            return self.facts_source, "declared in"
        return "the model's profile", "from"


def _forced(choice: Any) -> bool:
    """Whether a ``tool_choice`` (OpenAI, Anthropic or polyport spelling) forces a tool call."""
    if choice is None or choice is False:
        return False
    if isinstance(choice, str):
        return choice not in _UNFORCED_CHOICES
    if isinstance(choice, dict):
        return choice.get("type") not in _UNFORCED_CHOICES
    return True


def _has_image(messages: Sequence[BaseMessage]) -> bool:
    for message in messages:
        content = message.content
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") in _IMAGE_BLOCKS:
                    return True
    return False


def _asks_json_schema(kwargs: Mapping[str, Any]) -> bool:
    """A native JSON-schema output request in any engine's spelling (OpenAI ``response_format``,
    Anthropic ``output_config.format``, Ollama ``format``)."""
    response_format = kwargs.get("response_format")
    if isinstance(response_format, type):
        return True  # a pydantic class: the SDK sends it as a json_schema
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        return True
    output_config = kwargs.get("output_config")
    if isinstance(output_config, dict):
        fmt = output_config.get("format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return True
    return isinstance(kwargs.get("format"), dict)


def _upper_bound(messages: Sequence[BaseMessage], tools: Any) -> int:
    """More tokens than the offline count can ever give for this prompt (cheap: no tokenizing)."""
    if tools and not all(isinstance(tool, dict) for tool in tools):
        return sys.maxsize  # raw classes/functions: their schema is longer than their repr
    chars = len(str(tools)) if tools else 0
    for message in messages:
        content = message.content
        chars += len(content) if isinstance(content, str) else len(str(content))
        chars += len(message.name or "") + _MESSAGE_OVERHEAD
        if isinstance(message, AIMessage) and message.tool_calls:
            chars += len(str(message.tool_calls))
        reasoning = message.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str):
            chars += len(reasoning)
    return chars * _BYTES_PER_CHAR


def _effective(model: ProviderChatModel, name: str, payload: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
    """The value this call sends for option ``name``: the request body, call kwargs,
    ``model_kwargs``, then the model's own field of that name."""
    for source in (payload, kwargs, model.model_kwargs):
        value = source.get(name)
        if value is not None:
            return value
    if name in type(model).model_fields:
        return getattr(model, name)
    return None
