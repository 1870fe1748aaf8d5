"""Prices per million tokens with their provenance, and the cost of a call.

Governance codes against the small ``PriceLookup`` protocol so budgets work
with any source: a spec's pricing section (``StaticPrices``), the bundled
catalog (``CatalogPrices``, the default) or the user's own. An unknown price
is ``None`` — never $0 — so a budget can refuse an unpriced call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from langchain_core.messages import UsageMetadata

__all__ = ["CatalogPrices", "Price", "PriceLookup", "StaticPrices", "cost_nano", "worst_case_nano"]

_NANO_PER_USD_PER_MILLION = Decimal(1000)  # $/1M tokens → nano-$ per token


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens; cache prices default to the input price."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    provenance: str = "spec"


@runtime_checkable
class PriceLookup(Protocol):
    """Where prices come from; ``None`` means unknown."""

    def price(self, provider: str, model: str) -> Price | None:
        """The price of ``provider``/``model`` or None."""
        ...


class StaticPrices:
    """Prices given in code or a spec: ``{"provider/model": Price}`` or ``{"model": Price}``."""

    def __init__(self, prices: dict[str, Price]) -> None:
        self._prices = prices

    def price(self, provider: str, model: str) -> Price | None:
        """Exact ``provider/model`` first, then the bare model id."""
        return self._prices.get(f"{provider}/{model}") or self._prices.get(model)


class CatalogPrices:
    """Prices from the bundled catalog, provenance ``catalog:<version>``."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Price | None] = {}

    def price(self, provider: str, model: str) -> Price | None:
        """The catalog's pricing entry for the model, cached."""
        key = (provider, model)
        if key not in self._cache:
            from polyport_core.catalog import catalog_entry, catalog_version

            entry = catalog_entry(model, provider) or {}
            pricing = entry.get("pricing")
            if not pricing or "input" not in pricing:
                self._cache[key] = None
            else:
                self._cache[key] = Price(
                    input=Decimal(str(pricing["input"])),
                    output=Decimal(str(pricing.get("output", pricing["input"]))),
                    cache_read=_dec(pricing.get("cache_read")),
                    cache_write=_dec(pricing.get("cache_write")),
                    provenance=f"catalog:{catalog_version()}",
                )
        return self._cache[key]


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def cost_nano(price: Price, usage: UsageMetadata) -> int:
    """The cost of ``usage`` at ``price`` in nano-dollars (cache reads/writes at their own price)."""
    details = usage.get("input_token_details") or {}
    cache_read = int(details.get("cache_read") or 0)
    cache_write = int(details.get("cache_creation") or 0)
    fresh = max(0, int(usage.get("input_tokens", 0)) - cache_read - cache_write)
    total = (
        fresh * price.input
        + cache_read * (price.cache_read if price.cache_read is not None else price.input)
        + cache_write * (price.cache_write if price.cache_write is not None else price.input)
        + int(usage.get("output_tokens", 0)) * price.output
    )
    return int((total * _NANO_PER_USD_PER_MILLION).to_integral_value())


def worst_case_nano(price: Price, input_tokens: int, max_output_tokens: int) -> int:
    """Upper bound of a call's cost: estimated input plus the full output cap."""
    total = input_tokens * price.input + max_output_tokens * price.output
    return int((total * _NANO_PER_USD_PER_MILLION).to_integral_value()) + 1
