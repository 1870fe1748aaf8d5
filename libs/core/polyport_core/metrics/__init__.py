"""Per provider+model metrics: requests, failures by kind, latency percentiles, TTFT, tokens, cost, health."""

from polyport_core.metrics._metrics import Availability, Metrics, ModelStats

__all__ = ["Availability", "Metrics", "ModelStats"]
