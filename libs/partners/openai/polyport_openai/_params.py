"""langchain-openai keywords polyport's classes do not declare as fields, and where they go.

Read by ``polyport_core.chat.apply_param_routes`` when a model is built, and by the parity
test that compares these tables with the installed langchain-openai (``scripts/parity_table.py``).
"""

from __future__ import annotations

from polyport_core.chat import ParamRoute, renamed, request_field, unsupported

__all__ = ["CHAT_ROUTES", "EMBEDDINGS_ROUTES"]

_CLIENTS = (
    "polyport builds the SDK clients from the model's settings; pass http_client= / "
    "http_async_client= to customise them, and read .root_client / .root_async_client"
)

CHAT_ROUTES: dict[str, ParamRoute] = {
    "logit_bias": request_field(),
    "top_logprobs": request_field(),
    "service_tier": request_field(),
    "disabled_params": unsupported("use drop_params=[...] to remove request fields a server rejects"),
    "http_socket_options": unsupported("pass http_client=openai.DefaultHttpxClient(transport=...) instead"),
    "stream_chunk_timeout": unsupported("use timeout= (applies to each read of the stream as well)"),
    "tiktoken_model_name": unsupported(
        "token counts use model_name offline (tiktoken); pass custom_get_token_ids= to count differently"
    ),
    "prompt_cache_options": unsupported("pass prompt_cache_key= / prompt_cache_retention= in model_kwargs"),
    "client": unsupported(_CLIENTS),
    "async_client": unsupported(_CLIENTS),
    "root_client": unsupported(_CLIENTS),
    "root_async_client": unsupported(_CLIENTS),
}
"""``ChatOpenAI``: request fields go into the body as they are; the rest is refused with the way out."""

_CHUNKING = (
    "polyport sends each text as given (no client-side re-chunking by tokens); split long texts before embedding them"
)
_AZURE = "use polyport_openai.AzureOpenAIEmbeddings (azure_deployment=, api_version=) for Azure"

EMBEDDINGS_ROUTES: dict[str, ParamRoute] = {
    "openai_organization": renamed("organization"),
    "headers": renamed("default_headers"),
    "check_embedding_ctx_length": unsupported(_CHUNKING, accepts=(None, False)),
    "embedding_ctx_length": unsupported(_CHUNKING),
    "tiktoken_enabled": unsupported(_CHUNKING, accepts=(None, False)),
    "tiktoken_model_name": unsupported(_CHUNKING),
    "allowed_special": unsupported(_CHUNKING),
    "disallowed_special": unsupported(_CHUNKING),
    "skip_empty": unsupported("empty texts are sent like any other", accepts=(None, False)),
    "show_progress_bar": unsupported("no progress bar; batches run max_concurrency at a time", accepts=(None, False)),
    "retry_min_seconds": unsupported("retries use the SDK's backoff; set max_retries="),
    "retry_max_seconds": unsupported("retries use the SDK's backoff; set max_retries="),
    "model_kwargs": unsupported(
        "extra request fields are not supported on embeddings; use dimensions= / encoding_format="
    ),
    "deployment": unsupported(_AZURE),
    "api_version": unsupported(_AZURE),
    "openai_api_version": unsupported(_AZURE),
    "openai_api_type": unsupported(_AZURE, accepts=(None, "openai")),
    "client": unsupported(_CLIENTS),
    "async_client": unsupported(_CLIENTS),
}
"""``OpenAIEmbeddings``: langchain-openai's names for our fields, and what polyport leaves out."""
