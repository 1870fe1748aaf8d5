"""Per provider+model metrics: requests, failures by kind, latency percentiles, TTFT, tokens, cost, health."""

from polyport_core.metrics._fleet import LATENCY_BOUNDS_S, MetricMinute, fleet_rows, minute_of
from polyport_core.metrics._metrics import Availability, Metrics, MetricsSink, ModelStats

__all__ = ["LATENCY_BOUNDS_S", "Availability", "MetricMinute", "Metrics", "MetricsSink", "ModelStats", "fleet_rows",
           "minute_of"]
