"""langchain-anthropic keywords polyport's ``ChatAnthropic`` does not declare as fields, and where they go.

Read by ``polyport_core.chat.apply_param_routes`` when a model is built, and by the parity
test that compares this table with the installed langchain-anthropic (``scripts/parity_table.py``).
"""

from __future__ import annotations

from typing import Any

from polyport_core.chat import ParamRoute, converted, renamed, request_field, unsupported

__all__ = ["CHAT_ROUTES"]


def _with_beta(beta: str) -> Any:
    """Send the keyword as the request field of its name and turn on the beta it needs (as langchain-anthropic)."""

    def apply(values: dict[str, Any], name: str, value: Any) -> None:
        extra = dict(values.get("model_kwargs") or {})
        extra.setdefault(name, value)
        values["model_kwargs"] = extra
        betas = list(values.get("betas") or [])
        if beta not in betas:
            values["betas"] = [*betas, beta]

    return apply


def _effort(values: dict[str, Any], name: str, value: Any) -> None:
    """``effort`` is ``output_config.effort`` on the Messages API."""
    extra = dict(values.get("model_kwargs") or {})
    config = dict(extra.get("output_config") or {})
    config.setdefault("effort", value)
    extra["output_config"] = config
    values["model_kwargs"] = extra


CHAT_ROUTES: dict[str, ParamRoute] = {
    "max_tokens_to_sample": renamed("max_tokens"),
    "default_request_timeout": renamed("timeout"),
    "effort": converted("sent as `output_config.effort`", _effort),
    "reasoning_effort": converted("sent as `output_config.effort`", _effort),
    "output_config": request_field(),
    "container": request_field(),
    "inference_geo": request_field(),
    "mcp_servers": converted(
        "sent as the request field `mcp_servers`, with the `mcp-client-2025-04-04` beta",
        _with_beta("mcp-client-2025-04-04"),
    ),
    "context_management": converted(
        "sent as the request field `context_management`, with the `context-management-2025-06-27` beta",
        _with_beta("context-management-2025-06-27"),
    ),
    "user_profile_id": request_field(),
    "reuse_last_container": unsupported(
        "polyport keeps no state between calls; pass container= with the id from response_metadata['container']",
        accepts=(None, False),
    ),
}
"""``ChatAnthropic``: other names for our fields, request fields, and what polyport leaves out."""
