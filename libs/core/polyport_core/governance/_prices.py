"""Where a ``Governor`` gets prices: the catalog's one lookup, optionally with prices given in code.

``Price`` is the catalog's type (re-exported here). Governance codes against
the small ``PriceLookup`` protocol; both implementations answer through
``polyport_core.catalog.price_for`` (declared → own-provider catalog →
unknown), so a governor, ``cost_of`` and the CLI never disagree. ``None``
means unknown — never $0 — so a budget can refuse an unpriced call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from polyport_core.catalog import Price, cost_nano, price_for, worst_case_nano

__all__ = ["CatalogPrices", "Price", "PriceLookup", "StaticPrices", "cost_nano", "worst_case_nano"]


@runtime_checkable
class PriceLookup(Protocol):
    """Where prices come from; ``None`` means unknown."""

    def price(self, provider: str, model: str) -> Price | None:
        """The price of ``provider``/``model`` or None."""
        ...


class CatalogPrices:
    """The default: the catalog's one lookup (spec-declared → own-provider catalog → unknown).

    Declared prices are those of the specs the registry has loaded (it feeds them to the
    catalog when imported); governance never imports the registry itself.
    """

    def price(self, provider: str, model: str) -> Price | None:
        """The price of ``provider``/``model``, or None when unknown."""
        price = price_for(provider, model)
        return price if price.known else None


class StaticPrices(CatalogPrices):
    """Prices given in code or one spec, ``{"provider/model": Price}`` or ``{"model": Price}``.

    They take precedence; any other model falls through to the one lookup.
    """

    def __init__(self, prices: Mapping[str, Price], *, source: str | None = None) -> None:
        self._prices = dict(prices)
        self.source = source
        """Where these prices were declared (a spec file), for unpriced-call messages."""

    def price(self, provider: str, model: str) -> Price | None:
        """Exact ``provider/model`` first, then the bare model id, then the one lookup."""
        declared = self._prices.get(f"{provider}/{model}") or self._prices.get(model)
        price = price_for(provider, model, declared=declared)
        return price if price.known else None
