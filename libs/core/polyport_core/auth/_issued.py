"""Which refresher issued which token: how an SDK client finds the refresh flow of its key.

Kept apart from ``_refresh`` (an ``httpx.Auth``) so the SDK transport can ask on every client it
builds without importing httpx: only a key that a refresher issued needs its flow.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from polyport_core.auth._refresh import RefreshingBearer

__all__ = ["ISSUED", "ISSUED_LOCK", "refresher_for"]

ISSUED: dict[str, RefreshingBearer] = {}
"""Raw token → the refresher that issued it (each refresher keeps its last few)."""
ISSUED_LOCK = threading.Lock()


def refresher_for(token: SecretStr | str | None) -> RefreshingBearer | None:
    """The refresher that issued ``token``, if any (how SDK clients get their refresh flow)."""
    if token is None:
        return None
    raw = token.get_secret_value() if isinstance(token, SecretStr) else token
    with ISSUED_LOCK:
        return ISSUED.get(raw)
