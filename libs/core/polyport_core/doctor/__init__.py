"""The provider doctor: live checks behind ``polyport test PROVIDER[:MODEL]``.

Each check is a plain function ``DoctorTarget -> CheckResult``; ``run_doctor``
runs them in order and returns a ``Report`` whose observed capabilities
``write_profile`` can write back into the provider's spec file. The same checks
back the pytest conformance kit in ``polyport_core.testing.conformance``.
"""

from polyport_core.doctor._auth_checks import (
    check_auth,
    check_bad_key,
    check_models,
    check_unknown_model,
    describe_error,
)
from polyport_core.doctor._capability_checks import (
    STRUCTURED_METHODS,
    check_chat,
    check_embeddings,
    check_latency,
    check_parallel_tools,
    check_stream,
    check_structured,
    check_tools_auto,
    check_tools_forced,
)
from polyport_core.doctor._discover import KNOWN_SERVERS, LocalServer, ServerKind, discover_local_servers, probe_port
from polyport_core.doctor._profile import ProfileWriteError, spec_file_for, write_profile
from polyport_core.doctor._result import CheckResult, Report, Status
from polyport_core.doctor._runner import CHECKS, Check, run_check, run_doctor
from polyport_core.doctor._target import BAD_KEY, UNKNOWN_MODEL, DoctorTarget, resolve_target

__all__ = [
    "BAD_KEY",
    "CHECKS",
    "KNOWN_SERVERS",
    "STRUCTURED_METHODS",
    "UNKNOWN_MODEL",
    "Check",
    "CheckResult",
    "DoctorTarget",
    "LocalServer",
    "ProfileWriteError",
    "Report",
    "ServerKind",
    "Status",
    "check_auth",
    "check_bad_key",
    "check_chat",
    "check_embeddings",
    "check_latency",
    "check_models",
    "check_parallel_tools",
    "check_stream",
    "check_structured",
    "check_tools_auto",
    "check_tools_forced",
    "check_unknown_model",
    "describe_error",
    "discover_local_servers",
    "probe_port",
    "resolve_target",
    "run_check",
    "run_doctor",
    "spec_file_for",
    "write_profile",
]
