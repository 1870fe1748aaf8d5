"""Governance for every model call: rate limits, budgets, ledger, retries, quota snapshots.

``Governor`` composes them as ``CallHooks``; pass it as ``call_hooks=`` to any
polyport chat model (or build it from a provider spec with ``Governor.from_spec``).

Only the hook seam is imported eagerly: every chat model imports it, and the rest
(ledger backends, ``limits``, tenacity) would add to every user's import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from polyport_core._lazy import lazy_getattr
from polyport_core.governance._hooks import CallHooks, CallInfo, CallOutcome

if TYPE_CHECKING:
    from polyport_core.governance._budget import Budget, BudgetAlert
    from polyport_core.governance._governor import Governor
    from polyport_core.governance._limits import Limiter, RateLimit
    from polyport_core.governance._policy import policy_from_env
    from polyport_core.governance._prices import CatalogPrices, Price, PriceLookup, StaticPrices
    from polyport_core.governance._quota import (
        QuotaSnapshot,
        QuotaWindow,
        parse_duration,
        parse_quota_headers,
        retry_after_from_headers,
    )
    from polyport_core.governance._retry import RetryPolicy, is_retryable, server_wait_hint
    from polyport_core.governance._scopes import CallScope, parse_scope
    from polyport_core.governance._spec import budgets_from_spec, limits_from_spec

_LAZY = {
    "Budget": "_budget",
    "BudgetAlert": "_budget",
    "Governor": "_governor",
    "Limiter": "_limits",
    "RateLimit": "_limits",
    "CatalogPrices": "_prices",
    "Price": "_prices",
    "PriceLookup": "_prices",
    "StaticPrices": "_prices",
    "QuotaSnapshot": "_quota",
    "QuotaWindow": "_quota",
    "parse_duration": "_quota",
    "parse_quota_headers": "_quota",
    "retry_after_from_headers": "_quota",
    "RetryPolicy": "_retry",
    "is_retryable": "_retry",
    "server_wait_hint": "_retry",
    "policy_from_env": "_policy",
    "CallScope": "_scopes",
    "parse_scope": "_scopes",
    "budgets_from_spec": "_spec",
    "limits_from_spec": "_spec",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


__all__ = [
    "Budget",
    "BudgetAlert",
    "CallHooks",
    "CallInfo",
    "CallOutcome",
    "CallScope",
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
    "budgets_from_spec",
    "is_retryable",
    "limits_from_spec",
    "parse_duration",
    "parse_quota_headers",
    "parse_scope",
    "policy_from_env",
    "retry_after_from_headers",
    "server_wait_hint",
]
