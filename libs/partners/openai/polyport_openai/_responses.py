"""``ChatOpenAI`` on OpenAI's Responses API: when it is used, and the request it sends.

The endpoint is chosen per call, as langchain-openai chooses it: ``use_responses_api``
decides when set; otherwise a Responses-only setting on the model (``reasoning``,
``include``, ``truncation``, ``context_management``, ``use_previous_response_id``,
``output_version="responses/v1"``), a Responses-only model, or a request that needs it
(a built-in tool, ``previous_response_id``, ``text``, ...) selects it. The wire
conversions live in ``polyport_core.wire.openai_responses``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage
from polyport_core.errors import InvalidConfigError
from polyport_core.wire.openai_responses import (
    RESPONSES_ONLY_FIELDS,
    is_builtin_tool,
    messages_to_responses_input,
    model_prefers_responses,
    needs_responses_api,
    responses_body,
    turns_after_stored_response,
)

if TYPE_CHECKING:
    from polyport_openai.chat_models import ChatOpenAI

__all__ = ["chat_only_fields", "responses_request", "uses_responses_api"]

_MODEL_FIELDS = ("include", "reasoning", "truncation", "context_management")
"""Fields of the model that only the Responses API has (sent only there)."""


def uses_responses_api(model: ChatOpenAI, body: dict[str, Any]) -> bool:
    """Whether this request goes to ``/responses`` (``body``: its fields in Chat Completions terms)."""
    if model.use_responses_api is not None:
        return model.use_responses_api
    return (
        model.output_version == "responses/v1"
        or model.use_previous_response_id
        or any(getattr(model, name) is not None for name in _MODEL_FIELDS)
        or model_prefers_responses(model.model_name)
        or needs_responses_api(body)
    )


def chat_only_fields(model: ChatOpenAI, body: dict[str, Any]) -> None:
    """Chat Completions with ``use_responses_api=False``: ``reasoning={"effort": ...}`` becomes
    ``reasoning_effort``; anything only the Responses API has is refused, naming it."""
    reasoning = model.reasoning or {}
    if reasoning.get("effort") is not None:
        body.setdefault("reasoning_effort", reasoning["effort"])
    extra = sorted(set(reasoning) - {"effort"})
    refused = [name for name in _MODEL_FIELDS if name != "reasoning" and getattr(model, name) is not None]
    refused += [f"reasoning keys {extra}"] if extra else []
    refused += [name for name in sorted(RESPONSES_ONLY_FIELDS) if body.get(name) is not None]
    refused += [f"built-in tool {tool['type']!r}" for tool in body.get("tools") or () if is_builtin_tool(tool)]
    if model.use_previous_response_id:
        refused.append("use_previous_response_id")
    if refused:
        raise InvalidConfigError(
            f"{', '.join(refused)} need OpenAI's Responses API, but use_responses_api=False; "
            "remove them or leave use_responses_api unset",
            provider=model.provider,
            model=model.model_name,
        )


def responses_request(
    model: ChatOpenAI, messages: list[BaseMessage], body: dict[str, Any], stream: bool
) -> dict[str, Any]:
    """The ``/responses`` body for ``messages`` and ``body`` (the call's fields in Chat Completions terms)."""
    if body.pop("stop", None):
        raise InvalidConfigError(
            "stop sequences are not part of OpenAI's Responses API; remove stop= "
            "(or set use_responses_api=False for Chat Completions)",
            provider=model.provider,
            model=model.model_name,
        )
    for name in _MODEL_FIELDS:
        value = getattr(model, name)
        if value is not None:
            body.setdefault(name, value)
    if model.use_previous_response_id and body.get("previous_response_id") is None:
        messages, previous = turns_after_stored_response(messages)
        if previous is not None:
            body["previous_response_id"] = previous
    items = messages_to_responses_input(
        messages, store=body.get("store"), developer_as_system=model.developer_as_system
    )
    request = responses_body(body, items)
    if stream:
        request["stream"] = True
    return request
