"""``with_structured_output`` for every partner: tool call, JSON mode or native JSON schema."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from polyport_core.errors import InvalidConfigError

if TYPE_CHECKING:
    from polyport_core.chat._model import ProviderChatModel, StructuredMethod


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def resolve_method(model: ProviderChatModel, method: StructuredMethod | None) -> StructuredMethod:
    """The method asked for, else the engine's preferred one unless the declared facts rule it out.

    A profile with ``structured_output: False`` (json_schema unsupported) falls back to a
    forced tool call, and one with ``tool_calling: False`` as well to JSON mode; unknown facts
    keep the preference (as langchain-openai does).
    """
    if method is not None:
        return method
    facts = model.profile or {}
    preferred: StructuredMethod = model._preferred_structured_method
    if preferred == "json_schema" and facts.get("structured_output") is False:
        preferred = "function_calling"
    if preferred == "function_calling" and facts.get("tool_calling") is False:
        preferred = "json_schema" if facts.get("structured_output") is not False else "json_mode"
    return preferred


def build_structured_output(
    model: ProviderChatModel,
    schema: Any,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[Any, Any]:
    """The runnable behind ``ProviderChatModel.with_structured_output``."""
    pydantic_schema = _is_pydantic(schema)
    trace = {
        "ls_structured_output_format": {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    }
    if method == "function_calling":
        if schema is None:
            raise InvalidConfigError(
                "with_structured_output(method='function_calling') needs a schema",
                provider=model.provider,
                model=model.model_name,
            )
        tool = convert_to_openai_tool(schema, strict=strict)
        name = tool["function"]["name"]
        bound = model.bind_tools(
            [schema], tool_choice=name, strict=strict, parallel_tool_calls=False, **trace
        )
        parser: Runnable[Any, Any] = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if pydantic_schema
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
    elif method in ("json_mode", "json_schema"):
        if method == "json_schema" and schema is None:
            raise InvalidConfigError(
                "with_structured_output(method='json_schema') needs a schema",
                provider=model.provider,
                model=model.model_name,
            )
        json_schema = convert_to_json_schema(schema) if schema is not None else {}
        bound = model.bind(**model._structured_output_kwargs(json_schema, method, strict), **trace)
        parser = PydanticOutputParser(pydantic_object=schema) if pydantic_schema else JsonOutputParser()
    else:
        raise InvalidConfigError(
            f"Unknown structured output method {method!r}; expected function_calling, "
            "json_mode or json_schema",
            provider=model.provider,
            model=model.model_name,
        )
    if not include_raw:
        return bound | parser
    parse_raw = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
    parse_none = RunnablePassthrough.assign(parsed=lambda _: None)
    with_fallback = parse_raw.with_fallbacks([parse_none], exception_key="parsing_error")
    return RunnableMap(raw=bound) | with_fallback
