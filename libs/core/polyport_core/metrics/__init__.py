"""Per provider+model metrics: requests, failures by kind, latency percentiles, TTFT, tokens, cost, health."""

from polyport_core.metrics._fleet import LATENCY_BOUNDS_S, MetricMinute, fleet_rows, minute_of, percentile_from_buckets
from polyport_core.metrics._health_board import HealthBoard, default_board
from polyport_core.metrics._metrics import Availability, Metrics, MetricsSink, ModelStats

__all__ = ["LATENCY_BOUNDS_S", "Availability", "HealthBoard", "MetricMinute", "Metrics", "MetricsSink", "ModelStats",
           "default_board", "fleet_rows", "minute_of", "percentile_from_buckets"]
