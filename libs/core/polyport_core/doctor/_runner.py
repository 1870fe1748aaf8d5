"""Run the doctor's checks in order and gather a ``Report``; no check can crash the run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from polyport_core.doctor._auth_checks import (
    check_auth,
    check_bad_key,
    check_models,
    check_unknown_model,
    describe_error,
)
from polyport_core.doctor._capability_checks import (
    check_chat,
    check_embeddings,
    check_latency,
    check_parallel_tools,
    check_stream,
    check_structured,
    check_tools_auto,
    check_tools_forced,
)
from polyport_core.doctor._result import CheckResult, Report, Status
from polyport_core.doctor._target import DoctorTarget
from polyport_core.errors import (
    AuthenticationError,
    InvalidConfigError,
    PermissionDeniedError,
    ProviderUnavailableError,
)
from polyport_core.errors import TimeoutError as ProviderTimeoutError
from polyport_core.routing import LOCAL_REFUSALS

__all__ = ["CHECKS", "Check", "run_check", "run_doctor"]

Check = Callable[[DoctorTarget], CheckResult]

CHECKS: dict[str, Check] = {
    "auth": check_auth,
    "models": check_models,
    "chat": check_chat,
    "stream": check_stream,
    "tools": check_tools_auto,
    "forced-tools": check_tools_forced,
    "parallel-tools": check_parallel_tools,
    "structured-function-calling": check_structured("function_calling"),
    "structured-json-mode": check_structured("json_mode"),
    "structured-json-schema": check_structured("json_schema"),
    "embeddings": check_embeddings,
    "bad-key": check_bad_key,
    "unknown-model": check_unknown_model,
    "latency": check_latency,
}
"""Every check by its CLI name, in the order the report card shows them."""

_TITLES = {
    "auth": "authentication",
    "models": "model listing",
    "chat": "basic chat",
    "stream": "streaming",
    "tools": "tool calling (auto)",
    "forced-tools": "tool calling (forced)",
    "parallel-tools": "parallel tool calls",
    "structured-function-calling": "structured output (function_calling)",
    "structured-json-mode": "structured output (json_mode)",
    "structured-json-schema": "structured output (json_schema)",
    "embeddings": "embeddings",
    "bad-key": "error mapping: bad key",
    "unknown-model": "error mapping: unknown model",
    "latency": "latency",
}


def run_check(name: str, check: Check, target: DoctorTarget) -> CheckResult:
    """One check; an exception becomes a failing result with a one-line reason."""
    started = time.perf_counter()
    try:
        result = check(target)
    except LOCAL_REFUSALS as exc:  # the provider file's own limits, budget or facts said no: not a server failure
        result = CheckResult(_TITLES.get(name, name), Status.SKIP, f"refused locally: {describe_error(exc)}")
    except Exception as exc:  # a report card, never a traceback
        result = CheckResult(_TITLES.get(name, name), Status.FAIL, describe_error(exc))
    if result.latency_s is None:
        result.latency_s = time.perf_counter() - started
    return result


def _blocker(name: str, result: CheckResult) -> str | None:
    """Why later checks cannot run after this result (bad key, unreachable server)."""
    if name != "auth" or result.status is not Status.FAIL:
        return None
    detail = result.detail
    reasons = {
        "authentication failed": (AuthenticationError, PermissionDeniedError),
        "provider unreachable": (ProviderUnavailableError, ProviderTimeoutError),
        "invalid configuration": (InvalidConfigError,),
    }
    for reason, errors in reasons.items():
        if any(f"{error.__name__}:" in detail for error in errors):
            return reason
    return None


def run_doctor(
    target: DoctorTarget,
    *,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    on_result: Callable[[CheckResult], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> Report:
    """Run the selected checks (all by default) against ``target``; returns the report card.

    ``on_start(title)`` is called before each check runs and ``on_result(result)`` after
    it (a CLI shows progress with them)."""
    selected = list(only) if only is not None else list(CHECKS)
    unknown = [n for n in [*selected, *skip] if n not in CHECKS]
    if unknown:
        raise InvalidConfigError(f"unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    names = [n for n in CHECKS if n in selected and n not in set(skip)]
    report = Report(provider=target.provider, model=target.model)
    blocked: str | None = None
    for name in names:
        if blocked is not None:
            result = CheckResult(_TITLES[name], Status.SKIP, f"skipped: {blocked}")
        else:
            if on_start is not None:
                on_start(_TITLES[name])
            result = run_check(name, CHECKS[name], target)
            blocked = _blocker(name, result)
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    return report
