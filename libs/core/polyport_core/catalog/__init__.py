"""What a model is: context window, output cap, capabilities and prices (with provenance)."""

from polyport_core.catalog._catalog import (
    catalog_entry,
    catalog_models,
    catalog_version,
    exact_entry,
    profile_from_facts,
)
from polyport_core.catalog._pricing import (
    Cost,
    Price,
    cost_nano,
    cost_of,
    declared_source,
    price_for,
    set_declared_pricing_lookup,
    unpriced_message,
    worst_case_nano,
)
from polyport_core.catalog._profiles import facts_for, profile_for

__all__ = [
    "Cost",
    "Price",
    "catalog_entry",
    "catalog_models",
    "catalog_version",
    "cost_nano",
    "cost_of",
    "declared_source",
    "exact_entry",
    "facts_for",
    "price_for",
    "profile_for",
    "profile_from_facts",
    "set_declared_pricing_lookup",
    "unpriced_message",
    "worst_case_nano",
]
