"""The run config's tags and metadata on the streaming path, where langchain-core passes no run manager.

``BaseChatModel.stream``/``astream`` call ``_stream`` without the run manager
(``invoke`` passes it to ``_generate``), so the governance hooks would not see
``config={"metadata": {"user_id": ...}, "tags": [...]}``. ``ProviderChatModel.stream``
adds them as one private keyword that ``_stream`` takes out again before building the payload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RUN_KEY", "RunScope", "carry_run_scope", "take_run_scope"]

RUN_KEY = "_polyport_run"


@dataclass(frozen=True, slots=True)
class RunScope:
    """What the hooks read from a run (the same two attributes a run manager has)."""

    tags: Sequence[str] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)


def carry_run_scope(model: Any, config: Mapping[str, Any] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus the run's tags and metadata (the model's own first, as langchain merges them).

    Not when the call will not stream (``disable_streaming``): langchain-core then hands the
    keywords to ``invoke``, whose run manager already carries the scope.
    """
    disabled = getattr(model, "disable_streaming", False)
    if disabled is True or (disabled == "tool_calling" and kwargs.get("tools")):
        return kwargs
    tags = [*(getattr(model, "tags", None) or ()), *((config or {}).get("tags") or ())]
    metadata = {**(getattr(model, "metadata", None) or {}), **((config or {}).get("metadata") or {})}
    if tags or metadata:
        kwargs[RUN_KEY] = RunScope(tuple(tags), metadata)
    return kwargs


def take_run_scope(kwargs: dict[str, Any]) -> RunScope | None:
    """Remove and return what ``carry_run_scope`` added (None when the call had neither)."""
    scope: RunScope | None = kwargs.pop(RUN_KEY, None)
    return scope
