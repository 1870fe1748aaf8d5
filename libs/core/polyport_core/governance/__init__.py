"""Governance for every model call: rate limits, budgets, ledger, retries, quota snapshots.

``Governor`` composes them as ``CallHooks``; pass it as ``call_hooks=`` to any
polyport chat model (or build it from a provider spec with ``Governor.from_spec``).
"""

from polyport_core.governance._budget import Budget, BudgetAlert
from polyport_core.governance._governor import Governor
from polyport_core.governance._hooks import CallHooks, CallInfo, CallOutcome
from polyport_core.governance._limits import Limiter, RateLimit
from polyport_core.governance._prices import CatalogPrices, Price, PriceLookup, StaticPrices
from polyport_core.governance._quota import (
    QuotaSnapshot,
    QuotaWindow,
    parse_duration,
    parse_quota_headers,
    retry_after_from_headers,
)
from polyport_core.governance._retry import RetryPolicy, is_retryable, server_wait_hint

__all__ = [
    "Budget",
    "BudgetAlert",
    "CallHooks",
    "CallInfo",
    "CallOutcome",
    "CatalogPrices",
    "Governor",
    "Limiter",
    "Price",
    "PriceLookup",
    "QuotaSnapshot",
    "QuotaWindow",
    "RateLimit",
    "RetryPolicy",
    "StaticPrices",
    "is_retryable",
    "parse_duration",
    "parse_quota_headers",
    "retry_after_from_headers",
    "server_wait_hint",
]
