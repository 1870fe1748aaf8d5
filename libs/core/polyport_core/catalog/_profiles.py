"""Model facts merged from three sources: declared (spec) > discovered (live) > catalog.

``profile_for`` always returns a ``ModelProfile`` (never None), so every
declared model tells LangChain what it can do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import ModelProfile

from polyport_core.catalog._catalog import catalog_entry, profile_from_facts

if TYPE_CHECKING:
    from polyport_core.spec import ModelSpec

__all__ = ["facts_for", "profile_for"]

_SPEC_TO_FACT = {
    "display_name": "name",
    "context_window": "max_input_tokens",
    "max_output_tokens": "max_output_tokens",
    "tools": "tool_calling",
    "tool_choice": "tool_choice",
    "vision": "image_inputs",
    "json_schema": "structured_output",
    "reasoning": "reasoning_output",
    "embeddings": "embeddings",
    "dimensions": "dimensions",
    "parallel_tool_calls": "parallel_tool_calls",
    "streaming_usage": "streaming_usage",
}


def facts_for(
    provider: str,
    model: str,
    declared: ModelSpec | None = None,
    discovered: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Merged facts for a model; later sources in (catalog, discovered, declared) win."""
    facts: dict[str, Any] = {}
    entry = catalog_entry(model, provider or None)
    if entry:
        facts.update({k: v for k, v in entry.items() if k != "pricing"})
    if discovered:
        facts.update({k: v for k, v in discovered.items() if v is not None})
    if declared is not None:
        for field, fact in _SPEC_TO_FACT.items():
            value = getattr(declared, field)
            if value is not None:
                facts[fact] = value
    return facts


def profile_for(
    provider: str,
    model: str,
    declared: ModelSpec | None = None,
    discovered: Mapping[str, Any] | None = None,
) -> ModelProfile:
    """A langchain-core ``ModelProfile`` for the model; never None."""
    return profile_from_facts(facts_for(provider, model, declared, discovered))
