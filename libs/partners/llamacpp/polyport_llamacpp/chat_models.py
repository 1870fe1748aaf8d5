"""``ChatLlamaCpp``: llama.cpp's native ``llama-server`` API as a LangChain chat model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

from langchain_core.language_models import LanguageModelInput, ModelProfile
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable
from langchain_core.utils.utils import secret_from_env
from polyport_core.adapters import AdapterChatModel, HTTPAdapter
from polyport_core.auth import RedactedURL
from polyport_core.chat import StructuredMethod
from polyport_core.wire.openai import messages_to_openai
from pydantic import BaseModel, Field, SecretStr, field_validator

from polyport_llamacpp._adapter import LlamaCppAdapter

__all__ = ["DEFAULT_BASE_URL", "ChatLlamaCpp"]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"


def _root(url: str) -> str:
    """The server root: native endpoints live there, not under ``/v1``."""
    return url.rstrip("/").removesuffix("/v1")


class ChatLlamaCpp(AdapterChatModel):
    """Chat model on ``llama-server``'s native endpoints.

    Messages are rendered by the server's chat template (``/apply-template``)
    and completed by ``/completion``, so sampling fields (``top_k``, ``min_p``,
    ``grammar``...) and the server's ``timings`` are available, token counts are
    exact (``/tokenize``) and ``with_structured_output`` is grammar-constrained
    (``json_schema``/``json_mode``). The native API has no tool field, so bound
    tools are described in the prompt and read back from a JSON answer; a forced
    call (``tool_choice``) is held to the call's JSON shape by a grammar.
    Structured output defaults to ``json_schema``.

    Example:
        ```python
        llm = ChatLlamaCpp(model="gemma", base_url="http://127.0.0.1:8080", max_tokens=64)
        llm.invoke("Hello").response_metadata["timings"]
        ```
    """

    adapter_class: ClassVar[type[HTTPAdapter]] = LlamaCppAdapter

    base_url: RedactedURL = Field(
        default_factory=lambda: _root(os.environ.get("LLAMACPP_BASE_URL") or DEFAULT_BASE_URL), validate_default=True
    )
    api_key: SecretStr | None = Field(default_factory=secret_from_env("LLAMACPP_API_KEY", default=None))
    """Sent as a bearer token (``llama-server --api-key``)."""
    top_k: int | None = None
    top_p: float | None = None
    min_p: float | None = None
    seed: int | None = None
    repeat_penalty: float | None = None
    grammar: str | None = None
    """A GBNF grammar constraining every answer."""
    cache_prompt: bool | None = None
    """Reuse the KV cache of a shared prompt prefix (server default: on)."""

    _validate_base_url = field_validator("base_url", mode="before")(lambda cls, value: _root(value))

    @property
    def llama(self) -> LlamaCppAdapter:
        """The typed adapter: ``tokenize``, ``props``, ``health``, ``slots``, ``apply_template``."""
        adapter = self.adapter
        assert isinstance(adapter, LlamaCppAdapter)
        return adapter

    def _request_params(self) -> dict[str, Any]:
        params = {
            name: getattr(self, name)
            for name in ("top_k", "top_p", "min_p", "seed", "repeat_penalty", "grammar", "cache_prompt")
            if getattr(self, name) is not None
        }
        return {**params, **self.model_kwargs}

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Grammar-constrained output; ``function_calling`` (no tools here) is served as ``json_schema``."""
        if method in (None, "function_calling"):
            method = "json_schema"
        return super().with_structured_output(schema, method=method, include_raw=include_raw, strict=strict, **kwargs)

    # ------------------------------------------------------------------ server facts
    def load_profile(self) -> ModelProfile:
        """Fill ``profile.max_input_tokens`` from the server's context size (``/props``)."""
        settings = self.llama.props().get("default_generation_settings") or {}
        profile: ModelProfile = dict(self.profile or {})  # type: ignore[assignment]
        n_ctx = settings.get("n_ctx")
        if isinstance(n_ctx, int) and n_ctx > 0:
            profile["max_input_tokens"] = n_ctx
        profile.setdefault("tool_calling", True)
        profile.setdefault("structured_output", True)
        self.profile = profile
        return profile

    def chat_template(self) -> str:
        """The Jinja chat template the server renders messages with."""
        return str(self.llama.props().get("chat_template") or "")

    def get_num_tokens(self, text: str) -> int:
        """Exact token count from the server's tokenizer; offline estimate when unreachable."""
        try:
            return len(self.llama.tokenize(text))
        except Exception:
            return super().get_num_tokens(text)

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence[Any] | None = None) -> int:
        """Exact prompt size: the rendered chat template, tokenized by the server."""
        try:
            prompt = self.llama.apply_template(
                messages_to_openai(messages, developer_as_system=True, assistant_text_only=True)
            )
            return len(self.llama.tokenize(prompt))
        except Exception:
            return super().get_num_tokens_from_messages(messages, tools)
