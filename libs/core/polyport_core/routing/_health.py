"""The router's view of the scheduled health checks: a provider they found down is skipped.

Reads the process-wide ``HealthBoard``; when nothing has configured its source, it
reads the latest results from the default ledger (``POLYPORT_LEDGER``), where the
health checker — in this process or another sharing the ledger — stores them.
"""

from __future__ import annotations

import time
from typing import Any

from polyport_core.metrics import default_board

__all__ = ["provider_down"]

_RECENT_S = 3600.0
"""Health results older than this say nothing about now."""


def _latest_from_default_ledger() -> dict[str, str]:
    from polyport_core.ledger import default_ledger

    read = getattr(default_ledger(), "health", None)
    if read is None:
        return {}
    latest: dict[str, str] = {}
    for row in read(time.time() - _RECENT_S):
        latest[row["provider"]] = row["status"]
    return latest


def provider_down(model: Any) -> bool:
    """Whether the health checks last found the provider of ``model`` (or its bound model) down."""
    inner = getattr(model, "bound", model)
    provider = getattr(inner, "provider", None)
    if not provider:
        return False
    board = default_board()
    if board.source is None:
        board.source = _latest_from_default_ledger
    return board.is_down(str(provider))
