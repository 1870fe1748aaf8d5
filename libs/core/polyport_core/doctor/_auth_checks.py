"""Checks about reaching the provider: authentication, model listing and error mapping."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from polyport_core.doctor._result import CheckResult, Status
from polyport_core.doctor._target import UNKNOWN_MODEL, DoctorTarget
from polyport_core.errors import AuthenticationError, NotFoundError, PermissionDeniedError, PolyportError

__all__ = ["check_auth", "check_bad_key", "check_models", "check_unknown_model", "describe_error"]


def describe_error(error: BaseException) -> str:
    """One line naming the error class and its message (never a traceback)."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    line = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return line if len(line) <= 240 else line[:237] + "..."


def check_auth(target: DoctorTarget) -> CheckResult:
    """The smallest real call: does the provider accept our credentials?"""
    try:
        target.chat(max_tokens=1).invoke("Hi")
    except (AuthenticationError, PermissionDeniedError) as exc:
        return CheckResult(
            "authentication", Status.FAIL, f"the provider rejected the credentials: {describe_error(exc)}"
        )
    if not target.needs_key():
        how = "no key needed"
    elif target.has_key():
        how = f"{target.spec.auth.type} key accepted"
    else:
        how = "no key set; the server answered without one"
    return CheckResult("authentication", Status.PASS, how)


def check_models(target: DoctorTarget) -> CheckResult:
    """Does the server list its models, and is ours among them?"""
    try:
        models = target.live_models()
    except NotFoundError:
        return CheckResult("model listing", Status.WARN, "the server has no model-list endpoint (404)")
    shown = ", ".join(models[:5]) + (", ..." if len(models) > 5 else "")
    data = {"models": models}
    if target.model in models:
        return CheckResult(
            "model listing", Status.PASS, f"{len(models)} listed, including {target.model}: {shown}", data=data
        )
    return CheckResult(
        "model listing", Status.WARN, f"{len(models)} listed, but not {target.model!r}: {shown}", data=data
    )


def check_bad_key(target: DoctorTarget) -> CheckResult:
    """A wrong key must surface as ``AuthenticationError``, not a generic failure."""
    name = "error mapping: bad key"
    if not target.needs_key():
        return CheckResult(name, Status.SKIP, "the provider declares no authentication")
    try:
        target.bad_key_chat(max_tokens=1).invoke("Hi")
    except (AuthenticationError, PermissionDeniedError) as exc:
        return CheckResult(name, Status.PASS, f"→ {type(exc).__name__} (status {exc.status_code})")
    except PolyportError as exc:
        return CheckResult(name, Status.FAIL, f"expected AuthenticationError, got {describe_error(exc)}")
    return CheckResult(name, Status.WARN, "the server accepted an invalid key (it does not check keys)")


def check_unknown_model(target: DoctorTarget) -> CheckResult:
    """An unknown model id must surface as ``NotFoundError``."""
    name = "error mapping: unknown model"
    try:
        answer = target.chat(UNKNOWN_MODEL, max_tokens=1).invoke("Hi")
    except NotFoundError as exc:
        return CheckResult(name, Status.PASS, f"→ NotFoundError (status {exc.status_code})")
    except PolyportError as exc:
        return CheckResult(name, Status.FAIL, f"expected NotFoundError, got {describe_error(exc)}")
    served = answer.response_metadata.get("model_name") if isinstance(answer, AIMessage) else None
    return CheckResult(
        name, Status.WARN, f"the server answered anyway (serves a fixed model{f': {served}' if served else ''})"
    )
