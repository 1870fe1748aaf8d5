"""``RecordingHooks``: governance hooks that remember every call, to prove a model calls them."""

from __future__ import annotations

from dataclasses import dataclass, field

from polyport_core.governance import CallHooks, CallInfo, CallOutcome

__all__ = ["RecordingHooks"]


@dataclass
class RecordingHooks(CallHooks):
    """Records ``before_call``/``after_call`` pairs; the async twins fall through to these."""

    before: list[CallInfo] = field(default_factory=list)
    after: list[tuple[CallInfo, CallOutcome]] = field(default_factory=list)

    def before_call(self, call: CallInfo) -> None:
        """Remember the call."""
        self.before.append(call)

    def after_call(self, call: CallInfo, outcome: CallOutcome) -> None:
        """Remember the outcome."""
        self.after.append((call, outcome))
