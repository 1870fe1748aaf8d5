"""langchain-ollama keywords polyport's classes do not declare as fields, and where they go.

Read by ``polyport_core.chat.apply_param_routes`` when a model is built, and by the parity
test that compares these tables with the installed langchain-ollama (``scripts/parity_table.py``).
"""

from __future__ import annotations

from typing import Any

from polyport_core.chat import ParamRoute, into, renamed, request_field, unsupported

__all__ = ["CHAT_ROUTES", "EMBEDDINGS_ROUTES", "merged_client_kwargs"]

_SAMPLING_OPTIONS = (
    "mirostat",
    "mirostat_eta",
    "mirostat_tau",
    "num_gpu",
    "num_thread",
    "repeat_last_n",
    "repeat_penalty",
    "tfs_z",
)
"""Modelfile options langchain-ollama has as fields; polyport sends them in ``options`` as they are."""

_VALIDATE = unsupported(
    "polyport does not contact the server when a model is built; call show_model() (or "
    "`polyport test`) to check the model exists",
    accepts=(None, False),
)

CHAT_ROUTES: dict[str, ParamRoute] = {
    "num_predict": renamed("max_tokens"),
    "reasoning": renamed("think"),
    "format": request_field(),
    "logprobs": request_field(),
    "top_logprobs": request_field(),
    **{name: into("options") for name in _SAMPLING_OPTIONS},
    "validate_model_on_init": _VALIDATE,
}
"""``ChatOllama``: other names for our fields, request fields, Modelfile options."""

EMBEDDINGS_ROUTES: dict[str, ParamRoute] = {
    **{name: into("options") for name in (*_SAMPLING_OPTIONS, "num_ctx", "stop", "temperature", "top_k", "top_p")},
    "validate_model_on_init": _VALIDATE,
}
"""``OllamaEmbeddings``: Modelfile options go in ``options``."""


def merged_client_kwargs(
    base: dict[str, Any], shared: dict[str, Any] | None, own: dict[str, Any] | None
) -> dict[str, Any]:
    """``ollama.Client`` kwargs: ours, then ``client_kwargs``, then the sync/async-only ones (as langchain-ollama)."""
    return {**base, **(shared or {}), **(own or {})}
