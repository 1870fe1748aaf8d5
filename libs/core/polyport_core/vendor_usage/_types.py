"""What a vendor says about the account's usage in a window, ready to set beside the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["VendorUsage"]


@dataclass
class VendorUsage:
    """The vendor's own figures for ``[since, until)``; None where it does not report one."""

    provider: str
    source: str
    """Which endpoint said so (``openai organization costs + completions usage``, …)."""
    since: float
    until: float
    cost_usd: Decimal | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    requests: int | None = None
    balance_usd: Decimal | None = None
    """Credit left (OpenRouter key limit, DeepSeek balance in USD), not spend."""
    balances: dict[str, Decimal] = field(default_factory=dict)
    """Every balance the vendor reported, by currency."""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures (Decimals as strings)."""
        return {
            "provider": self.provider,
            "source": self.source,
            "since": self.since,
            "until": self.until,
            "cost_usd": None if self.cost_usd is None else str(self.cost_usd),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "requests": self.requests,
            "balance_usd": None if self.balance_usd is None else str(self.balance_usd),
            "balances": {k: str(v) for k, v in self.balances.items()},
            "notes": list(self.notes),
        }
