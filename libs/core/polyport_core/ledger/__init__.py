"""Where usage and spend live: one ``Ledger`` protocol, SQLite (embedded default) and Redis (fleets).

Settles a ledger refuses wait in the local ``Outbox`` until it is back.
"""

from polyport_core.ledger._outbox import OUTBOX_ENV, Outbox, OutboxEntry, default_outbox_path, ledger_identity
from polyport_core.ledger._redis import RedisLedger
from polyport_core.ledger._select import LEDGER_ENV, default_ledger, ledger_from_url
from polyport_core.ledger._sqlite import SQLiteLedger, default_ledger_path
from polyport_core.ledger._types import (
    Bucket,
    Cap,
    CapCheck,
    Ledger,
    UsageRecord,
    nano_to_usd,
    period_keys,
    usd_to_nano,
)

__all__ = [
    "LEDGER_ENV",
    "OUTBOX_ENV",
    "Bucket",
    "Cap",
    "CapCheck",
    "Ledger",
    "Outbox",
    "OutboxEntry",
    "RedisLedger",
    "SQLiteLedger",
    "UsageRecord",
    "default_ledger",
    "default_ledger_path",
    "default_outbox_path",
    "ledger_from_url",
    "ledger_identity",
    "nano_to_usd",
    "period_keys",
    "usd_to_nano",
]
