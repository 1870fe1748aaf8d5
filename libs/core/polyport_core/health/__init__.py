"""Scheduled health checks with alerts: ``polyport health --every 5m`` and ``HealthChecker``.

The doctor's quick checks (auth, models, one tiny chat) per provider, each result
stored in the ledger; a provider is marked degraded/down after configurable
failures (the fallback router skips one that is down) and an alert sink — a
webhook URL or a Python callable — hears every status change once.
"""

from polyport_core.health._alerts import AlertSink, HealthChange, alert_payload, webhook_sink
from polyport_core.health._checker import QUICK_CHECKS, HealthChecker, HealthResult, ProviderHealth, doctor_probe

__all__ = [
    "QUICK_CHECKS",
    "AlertSink",
    "HealthChange",
    "HealthChecker",
    "HealthResult",
    "ProviderHealth",
    "alert_payload",
    "doctor_probe",
    "webhook_sink",
]
