"""The default governance a registry attaches to every model it builds.

One ``Governor`` per provider per registry, so every model of a provider
shares its declared limits and budget (not one bucket per instance), all
writing to the one default ledger (``POLYPORT_LEDGER``).
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
            from polyport_core.governance import Governor
            from polyport_core.ledger import default_ledger

            governor = Governor.from_spec(spec, ledger=default_ledger())
            registry.governors[spec.id] = governor
        return governor
