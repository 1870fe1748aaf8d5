"""Optional OpenTelemetry export (only imported when ``opentelemetry-api`` is installed)."""

from __future__ import annotations

from opentelemetry import metrics as otel_metrics


class OTelExporter:
    """Mirrors each recorded call onto OpenTelemetry counters and a latency histogram."""

    def __init__(self, meter_name: str) -> None:
        meter = otel_metrics.get_meter(meter_name)
        self._requests = meter.create_counter("polyport.requests", description="model calls")
        self._tokens = meter.create_counter("polyport.tokens", description="tokens used")
        self._latency = meter.create_histogram("polyport.latency", unit="s", description="call latency")

    def record(
        self,
        provider: str,
        model: str,
        error_kind: str | None,
        latency_s: float,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        """Add one call."""
        attrs = {"provider": provider, "model": model, "outcome": error_kind or "ok"}
        self._requests.add(1, attrs)
        self._latency.record(latency_s, attrs)
        self._tokens.add(input_tokens, {**attrs, "direction": "input"})
        self._tokens.add(output_tokens, {**attrs, "direction": "output"})
