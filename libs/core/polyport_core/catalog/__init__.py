"""What a model is: context window, output cap, capabilities and prices."""

from polyport_core.catalog._catalog import catalog_entry, catalog_version, profile_from_facts

__all__ = ["catalog_entry", "catalog_version", "profile_from_facts"]
