"""What a doctor check found: one ``CheckResult`` per check, gathered in a ``Report``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["CheckResult", "Report", "Status"]


class Status(StrEnum):
    """Outcome of one check; only ``FAIL`` makes the report (and the CLI) fail."""

    PASS = "pass"
    WARN = "warn"
    """The call worked but the capability was not shown (e.g. the model chose not to call a tool)."""
    FAIL = "fail"
    SKIP = "skip"


@dataclass
class CheckResult:
    """One check: its status, a one-line reason, its latency and the capabilities it observed."""

    name: str
    status: Status
    detail: str = ""
    latency_s: float | None = None
    observed: dict[str, Any] = field(default_factory=dict)
    """Model-spec fields this check proved or disproved (``tools``, ``json_schema``, ...)."""
    data: dict[str, Any] = field(default_factory=dict)
    """Extra measurements (chunk counts, percentiles) for ``--json`` readers."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "status": self.status.value,
            "detail": self.detail,
            "latency_s": None if self.latency_s is None else round(self.latency_s, 4),
            "observed": self.observed,
            "data": self.data,
        }


@dataclass
class Report:
    """The report card of one provider/model."""

    provider: str
    model: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings and skips are fine)."""
        return all(r.status is not Status.FAIL for r in self.results)

    def result(self, name: str) -> CheckResult | None:
        """The result of check ``name``, if it ran."""
        return next((r for r in self.results if r.name == name), None)

    def observed_capabilities(self) -> dict[str, Any]:
        """Every capability the checks observed; a later ``True`` beats an earlier ``False``."""
        merged: dict[str, Any] = {}
        for result in self.results:
            for key, value in result.observed.items():
                if merged.get(key) is True and value is False:
                    continue
                merged[key] = value
        return merged

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status."""
        return {s.value: sum(1 for r in self.results if r.status is s) for s in Status}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json``)."""
        return {
            "provider": self.provider,
            "model": self.model,
            "ok": self.ok,
            "counts": self.counts(),
            "observed": self.observed_capabilities(),
            "checks": [r.to_dict() for r in self.results],
        }
