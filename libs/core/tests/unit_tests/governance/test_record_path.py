"""The per-call record path: record ids and metrics stay what callers rely on."""

from __future__ import annotations

from decimal import Decimal

from polyport_core.governance._governor import _record_id, _usd_float
from polyport_core.ledger import nano_to_usd
from polyport_core.metrics import Metrics


def test_record_ids_are_32_hex_digits_unique_and_time_ordered() -> None:
    ids = [_record_id() for _ in range(2000)]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == len(ids)
    prefixes = [i[:16] for i in ids]
    assert prefixes == sorted(prefixes)


def test_cost_float_equals_the_decimal_conversion() -> None:
    for nano in (0, 1, 7, 1050, 123_456_789, 999_999_999_999, 2**53 - 1, 2**53 + 1, -5):
        assert _usd_float(nano) == float(nano_to_usd(nano))


def test_metrics_cost_nano_and_bounded_windows() -> None:
    metrics = Metrics(window=3)
    for latency in (1.0, 2.0, 3.0, 4.0):
        metrics.record("p", "m", error_kind=None, latency_s=latency, cost_nano=1050)
    metrics.record("p", "m", error_kind=None, latency_s=5.0, cost_usd=Decimal("0.000001"))
    metrics.record("p", "m", error_kind="timeout", latency_s=6.0)
    stats = metrics.get("p", "m")
    assert stats is not None
    assert stats.cost_usd == Decimal("0.0000052")
    assert list(stats.latencies) == [4.0, 5.0, 6.0]
    assert list(stats.recent) == [True, True, False]
    assert stats.requests == 6
