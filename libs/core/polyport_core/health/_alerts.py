"""Alert sinks: a webhook URL or a Python callable, for health status changes and budget alerts.

``AlertSink`` is a callable taking a ``HealthChange`` or a ``BudgetAlert``, so the
same object serves as a ``Governor(on_alert=...)`` and a ``HealthChecker(alert=...)``.
A webhook gets one JSON POST per event; a failing webhook is logged (its URL redacted),
never raised into a call or a health run.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from polyport_core.auth import redact_text, redact_url

__all__ = ["AlertSink", "HealthChange", "alert_payload", "webhook_sink"]

logger = logging.getLogger("polyport.health")


@dataclass(frozen=True, slots=True)
class HealthChange:
    """A provider's status changed (``healthy`` / ``degraded`` / ``down``)."""

    provider: str
    previous: str
    status: str
    ts: float
    detail: str = ""


def alert_payload(event: Any) -> dict[str, Any]:
    """The JSON body of an event: ``{"kind": "health" | "budget", ...fields}``."""
    kind = "health" if isinstance(event, HealthChange) else "budget"
    fields = dataclasses.asdict(event) if dataclasses.is_dataclass(event) and not isinstance(event, type) else {}
    return {"kind": kind, **{k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}}


AlertSink = Callable[[Any], None]
"""Receives a ``HealthChange`` or a ``BudgetAlert``."""


def webhook_sink(url: str, *, timeout_s: float = 5.0, headers: dict[str, str] | None = None) -> AlertSink:
    """An ``AlertSink`` that POSTs each event as JSON to ``url``."""
    import httpx

    def send(event: Any) -> None:
        try:
            response = httpx.post(url, content=json.dumps(alert_payload(event)), timeout=timeout_s,
                                  headers={"content-type": "application/json", **(headers or {})})  # fmt: skip
            response.raise_for_status()
        except Exception as error:
            logger.warning("polyport alert webhook %s failed: %s", redact_url(url), redact_text(str(error)))

    return send
