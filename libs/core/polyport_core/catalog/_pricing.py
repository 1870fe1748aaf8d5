"""Cost of one usage record, with where the price came from.

Provenance is ``"spec"`` (declared in a provider spec), ``"catalog:<version>"``
(the shipped catalog data file) or ``"unknown"``. An unknown price is
``amount=None``, never ``0``: a free local model declares ``0`` explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from polyport_core.catalog._catalog import catalog_version, exact_entry

__all__ = ["Cost", "Price", "cost_of", "price_for", "set_declared_pricing_lookup"]

_MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    """USD per million tokens for one model; None where unknown."""

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    provenance: str = "unknown"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], provenance: str) -> Price:
        """A price from a dict of per-million rates (numbers, strings or Decimals)."""

        def dec(key: str) -> Decimal | None:
            value = data.get(key)
            return None if value is None else Decimal(str(value))

        return cls(dec("input"), dec("output"), dec("cache_read"), dec("cache_write"), provenance)


@dataclass(frozen=True)
class Cost:
    """Money spent on a call: ``amount`` in USD (None = unknown) and its provenance."""

    amount: Decimal | None
    provenance: str
    currency: str = "USD"

    @property
    def known(self) -> bool:
        """Whether the amount is known (a known amount may be zero)."""
        return self.amount is not None


DeclaredLookup = Callable[[str, str], Price | None]
_declared_lookup: DeclaredLookup | None = None


def set_declared_pricing_lookup(lookup: DeclaredLookup | None) -> None:
    """Install the function that finds prices declared in provider specs (the registry does)."""
    global _declared_lookup
    _declared_lookup = lookup


def price_for(provider: str, model: str) -> Price:
    """The price of ``provider``/``model``: declared in a spec, else catalog, else unknown."""
    lookup = _declared_lookup
    if lookup is None:
        lookup = _default_lookup()
    if lookup is not None:
        declared = lookup(provider, model)
        if declared is not None:
            return declared
    # Prices differ between hosts of the same open model: only an exact provider/model entry counts.
    entry = exact_entry(f"{provider}/{model}" if provider else model)
    pricing = (entry or {}).get("pricing")
    if pricing:
        return Price.from_mapping(pricing, f"catalog:{catalog_version()}")
    return Price()


def cost_of(
    usage: Mapping[str, Any] | None, provider: str, model: str, *, price: Price | None = None
) -> Cost:
    """Cost of a langchain-core ``UsageMetadata`` record for ``provider``/``model``.

    Cached input tokens are charged at the cache rates when known, else at the
    input rate. Any token class with tokens but no known rate makes the whole
    cost unknown rather than silently cheaper.
    """
    price = price or price_for(provider, model)
    if price.provenance == "unknown" or usage is None:
        return Cost(None, price.provenance if usage is not None else "unknown")
    details: Mapping[str, Any] = usage.get("input_token_details") or {}
    input_tokens = int(usage.get("input_tokens") or 0)
    output_tokens = int(usage.get("output_tokens") or 0)
    cache_read = int(details.get("cache_read") or 0)
    cache_write = int(details.get("cache_creation") or 0)
    parts: list[tuple[int, Decimal | None]] = []
    plain = input_tokens
    if cache_read and price.cache_read is not None:
        parts.append((cache_read, price.cache_read))
        plain -= cache_read
    if cache_write and price.cache_write is not None:
        parts.append((cache_write, price.cache_write))
        plain -= cache_write
    parts.append((max(plain, 0), price.input))
    parts.append((output_tokens, price.output))
    total = Decimal(0)
    for tokens, rate in parts:
        if tokens == 0:
            continue
        if rate is None:
            return Cost(None, "unknown")
        total += rate * tokens / _MILLION
    return Cost(total, price.provenance)


def _default_lookup() -> DeclaredLookup | None:
    """The registry's lookup, imported lazily (the registry depends on the catalog)."""
    try:
        from polyport_core.registry import declared_price
    except ImportError:  # pragma: no cover - registry is part of core
        return None
    return declared_price
