"""The default governance a registry attaches to every model it builds.

One ``Governor`` per provider per registry, so every model of a provider
shares its declared limits and budget (not one bucket per instance), all
writing to the one default ledger (``POLYPORT_LEDGER``). A policy file
(``POLYPORT_POLICY``) adds its budgets and limits to every provider's governor.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from polyport_core.governance import CallHooks
from polyport_core.spec import ProviderSpec

if TYPE_CHECKING:
    from polyport_core.governance import Governor
    from polyport_core.registry._discovery import Registry

__all__ = ["default_hooks"]

_lock = threading.Lock()


def default_hooks(spec: ProviderSpec, registry: Registry) -> CallHooks:
    """The shared governor for ``spec``'s provider in ``registry`` (built on first use)."""
    with _lock:
        governor: Governor | None = registry.governors.get(spec.id)
        if governor is None:
            from polyport_core.governance import Governor, budgets_from_spec, limits_from_spec, policy_from_env
            from polyport_core.ledger import default_ledger

            extra: dict[str, object] = {}
            if (policy := policy_from_env()) is not None:  # POLYPORT_POLICY: per user/tag/profile rules
                extra["budgets"] = budgets_from_spec(spec) + policy.budgets_for(spec.id)
                extra["limits"] = limits_from_spec(spec) + policy.limits_for(spec.id)
            governor = Governor.from_spec(spec, ledger=default_ledger(), **extra)
            registry.governors[spec.id] = governor
        return governor
