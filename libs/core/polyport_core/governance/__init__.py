"""Governance for every model call: the hook seam (limits, budgets, ledger and metrics build on it)."""

from polyport_core.governance._hooks import CallHooks, CallInfo, CallOutcome

__all__ = ["CallHooks", "CallInfo", "CallOutcome"]
