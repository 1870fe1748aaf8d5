"""The seam where governance plugs into every model call.

``ProviderChatModel`` calls these hooks around the vendor call; the default
does nothing. Rate limits, budgets, the ledger and metrics implement
``CallHooks`` so that every partner gets them without code of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from langchain_core.messages import UsageMetadata


@dataclass
class CallInfo:
    """What is known about a call before it is sent."""

    provider: str
    model: str
    payload: dict[str, Any]
    estimate_input_tokens: Callable[[], int]
    """Counts the prompt's tokens offline; called only by hooks that need it (limits, budgets)."""
    max_output_tokens: int | None
    stream: bool
    started_at: float = field(default_factory=time.perf_counter)
    state: dict[str, Any] = field(default_factory=dict)
    """Scratch space for hooks (e.g. a budget reservation id)."""
    tags: Sequence[str] = ()
    """The run's tags (LangChain ``config={"tags": [...]}`` or ``with_config``): tag-scoped budgets and limits."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The run's metadata (``config={"metadata": {"user_id": ...}}``): user-scoped budgets and limits."""
    profile: str | None = None
    """The credential profile the call used, if any (else ``metadata["profile"]``)."""

    @cached_property
    def estimated_input_tokens(self) -> int:
        """Prompt tokens estimated before the call (tokenized once, on first use)."""
        return self.estimate_input_tokens()


@dataclass
class CallOutcome:
    """What happened: usage on success, the mapped error on failure."""

    usage: UsageMetadata | None = None
    usage_estimated: bool = False
    error: BaseException | None = None
    latency_s: float = 0.0
    time_to_first_token_s: float | None = None
    response_headers: dict[str, str] | None = None
    response_metadata: dict[str, Any] = field(default_factory=dict)


class CallHooks:
    """No-op hooks; subclasses override what they need.

    ``before_call`` may raise (e.g. ``BudgetExceededError``) to refuse a call.
    ``after_call`` must not raise: it runs on the success and the error path.
    """

    def before_call(self, call: CallInfo) -> None:
        """Acquire limits / reserve budget (sync path)."""

    async def abefore_call(self, call: CallInfo) -> None:
        """Acquire limits / reserve budget (async path)."""
        self.before_call(call)

    def after_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        """Settle usage, record metrics; runs on success and failure."""

    async def aafter_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        """Async twin of ``after_call``."""
        self.after_call(call, outcome)

    def response_metadata(self, call: CallInfo, outcome: CallOutcome) -> dict[str, Any]:
        """Extra keys to add to the message's ``response_metadata`` (e.g. cost)."""
        return {}
