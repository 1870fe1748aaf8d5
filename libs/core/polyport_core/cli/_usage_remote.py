"""``polyport usage --remote PROVIDER``: the vendor's own figures beside the ledger's, same window.

A difference shows calls made outside polyport (another tool, the console), prices the
provider file gets wrong, or usage the server never reported. Vendors that publish only a
balance (DeepSeek) or fixed periods (OpenRouter) say so in the notes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from polyport_core.ledger import UsageRecord
from polyport_core.registry import get_registry
from polyport_core.vendor_usage import fetch_vendor_usage

__all__ = ["remote_section"]


def remote_section(provider: str, records: list[UsageRecord], since: float, until: float) -> dict[str, Any]:
    """The vendor's figures for ``provider`` over ``[since, until)`` beside the ledger's, with differences.

    Raises a ``PolyportError`` (unknown provider, no usage endpoint or key, vendor refusal).
    """
    vendor = fetch_vendor_usage(get_registry().get(provider), since, until)
    mine = [r for r in records if r.provider == provider and since <= r.ts < until]
    costs = [r.cost_usd for r in mine]
    ledger: dict[str, Any] = {
        "cost_usd": sum((c for c in costs if c is not None), Decimal(0)),
        "input_tokens": sum(r.input_tokens + r.cache_read_tokens + r.cache_write_tokens for r in mine),
        "output_tokens": sum(r.output_tokens for r in mine),
        "requests": len(mine),
    }
    notes = list(vendor.notes)
    if any(c is None for c in costs):
        notes.append(f"{sum(c is None for c in costs)} ledger record(s) have no known price (not counted in cost)")
    rows = []
    for figure in ("cost_usd", "input_tokens", "output_tokens", "requests"):
        theirs = getattr(vendor, figure)
        ours = ledger[figure]
        rows.append(
            {
                "figure": figure,
                "vendor": _plain(theirs),
                "ledger": _plain(ours),
                "difference": None if theirs is None else _plain(theirs - ours),
            }
        )
    balances = dict(vendor.balances)
    if vendor.balance_usd is not None:
        balances.setdefault("USD", vendor.balance_usd)
    for currency, amount in balances.items():
        rows.append(
            {"figure": f"balance_{currency.lower()}", "vendor": _plain(amount), "ledger": None, "difference": None}
        )
    return {"provider": provider, "source": vendor.source, "since": since, "until": until, "rows": rows, "notes": notes}


def _plain(value: Any) -> Any:
    """JSON-friendly: Decimals as strings, everything else as is."""
    return str(value) if isinstance(value, Decimal) else value
