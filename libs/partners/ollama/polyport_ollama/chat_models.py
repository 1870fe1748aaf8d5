"""``ChatOllama``: Ollama's ``/api/chat`` on the official ollama SDK."""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.messages import BaseMessage
from polyport_core.auth import RedactedURL, SecretHeaders
from polyport_core.chat import ParamRoute, ParsedResponse, ProviderChatModel, StructuredMethod
from polyport_core.wire import RawResponse, VendorRequest
from pydantic import Field, PrivateAttr, SecretStr

from polyport_ollama._clients import ollama_clients
from polyport_ollama._convert import messages_to_ollama, tools_to_ollama
from polyport_ollama._errors import map_ollama_error
from polyport_ollama._params import CHAT_ROUTES
from polyport_ollama._response import OllamaStreamState, parse_response
from polyport_ollama._transport import OllamaTransport

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["ChatOllama"]

DEFAULT_HOST = "http://127.0.0.1:11434"
_warned_tool_choice = False


def _headers(headers: dict[str, str], api_key: SecretStr | None) -> dict[str, str]:
    """Spec headers plus the key as a bearer token (unless a header already carries auth, or the
    spec placed the key itself: ``NO_KEY``)."""
    from polyport_core.registry import NO_KEY

    out = dict(headers)
    if api_key is not None and api_key != NO_KEY and not any(name.lower() == "authorization" for name in out):
        out["Authorization"] = f"Bearer {api_key.get_secret_value()}"
    return out


def _server_kwargs(settings: Any) -> dict[str, Any]:
    """``base_url`` (the server root: a trailing ``/v1`` removed) and ``headers`` (key as bearer)
    from ``SpecSettings``; chat and embeddings build the same way."""
    kwargs: dict[str, Any] = {"base_url": settings.base_url.removesuffix("/v1")}
    headers = _headers(settings.headers, settings.sdk_key)
    if headers:
        kwargs["headers"] = headers
    return kwargs


class ChatOllama(ProviderChatModel):
    """Chat model for a local or remote Ollama server.

    ``num_ctx`` defaults to the model profile's ``max_input_tokens`` so prompts are not
    silently cut at Ollama's 2048-token default; Ollama ignores ``tool_choice`` (a warning
    says so once).

    Example:
        ```python
        llm = ChatOllama(model="llama3.2", num_ctx=8192)
        llm.invoke("Hello")
        ```
    """

    base_url: RedactedURL = Field(
        default_factory=lambda: os.environ.get("OLLAMA_HOST") or DEFAULT_HOST, validate_default=True
    )
    headers: SecretHeaders | None = Field(default=None, repr=False)
    """Extra headers on every request; values are secrets (masked in repr, dumps and callbacks)."""
    keep_alive: float | str | None = None
    """How long the model stays loaded after the call (``"5m"``, seconds, ``0`` to unload)."""
    think: bool | str | None = None
    """Ask thinking models to reason (``True`` or an effort level); surfaced as reasoning content."""
    num_ctx: int | None = None
    """Context window to load the model with; default: the profile's ``max_input_tokens``."""
    top_k: int | None = None
    top_p: float | None = None
    seed: int | None = None
    options: dict[str, Any] | None = None
    """Extra Ollama runtime options (``repeat_penalty``, ``num_gpu``, ...)."""
    stream_usage: bool = True
    client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Extra ``ollama.Client``/``AsyncClient`` keywords (passed on to httpx), as in langchain-ollama;
    kept out of repr and dumps (they may carry headers or auth)."""
    sync_client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Keywords for the sync client only (over ``client_kwargs``)."""
    async_client_kwargs: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    """Keywords for the async client only (over ``client_kwargs``)."""

    _param_routes: ClassVar[dict[str, ParamRoute]] = CHAT_ROUTES
    _clients: tuple[Any, Any] | None = PrivateAttr(default=None)
    _preferred_structured_method: ClassVar[StructuredMethod] = "json_schema"
    """As the langchain class it replaces: native JSON schema, falling back per declared facts."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """A ``ChatOllama`` for ``model`` as the provider spec describes it (``overrides`` win).

        ``base_url`` is the server root (a trailing ``/v1`` is removed); a key is sent as
        ``Authorization: Bearer`` (Ollama's cloud); a declared ``context_window`` becomes
        ``num_ctx``. No quirks and no query parameters.
        """
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        settings.quirks_for("ollama", ())
        settings.reject_query("ollama")
        kwargs = {**settings.common(), **_server_kwargs(settings)}
        if settings.declared is not None and settings.declared.context_window:
            kwargs["num_ctx"] = settings.declared.context_window
        return settings.build(cls, kwargs)

    @property
    def _llm_type(self) -> str:
        return "ollama"

    def _sdk_clients(self) -> tuple[Any, Any]:
        if self._clients is None:
            self._clients = ollama_clients(
                host=self.base_url,
                headers=self.headers,
                provider=self.provider,
                tls=self.tls,
                proxy=self.proxy,
                timeout=self.timeout,
                client_kwargs=self.client_kwargs,
                sync_client_kwargs=self.sync_client_kwargs,
                async_client_kwargs=self.async_client_kwargs,
            )
        return self._clients

    # ------------------------------------------------------------------ request
    def _normalize_tool_choice(self, choice: str | dict[str, Any] | None) -> Any:
        global _warned_tool_choice
        if choice is not None and not _warned_tool_choice:
            warnings.warn(
                "Ollama ignores tool_choice: the model decides itself whether to call a tool",
                UserWarning,
                stacklevel=3,
            )
            _warned_tool_choice = True
        return None

    def _options(self, stop: list[str] | None, max_tokens: int | None) -> dict[str, Any]:
        profile = self.profile or {}
        options: dict[str, Any] = {
            "num_ctx": self.num_ctx or profile.get("max_input_tokens"),
            "temperature": self.temperature,
            "top_k": self.top_k,
            "top_p": self.top_p,
            "seed": self.seed,
            "num_predict": max_tokens,
            "stop": stop,
        }
        options = {k: v for k, v in options.items() if v is not None}
        options.update(self.options or {})
        return options

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        kwargs.pop("tool_choice", None)
        kwargs.pop("parallel_tool_calls", None)
        max_tokens = kwargs.pop("max_tokens", None) or self.max_tokens
        payload: dict[str, Any] = {
            "model": self.model_name,
            "messages": messages_to_ollama(messages),
            "stream": stream,
            "options": self._options(stop or self.stop, max_tokens),
        }
        if self.keep_alive is not None:
            payload["keep_alive"] = self.keep_alive
        if self.think is not None:
            payload["think"] = self.think
        tools = kwargs.pop("tools", None)
        if tools:
            payload["tools"] = tools_to_ollama(tools)
        payload.update(self.model_kwargs)
        payload.update(kwargs)
        return payload

    def _max_output_tokens(self, payload: dict[str, Any]) -> int | None:
        value = payload.get("options", {}).get("num_predict")
        return int(value) if value else self.max_tokens

    def _structured_output_kwargs(
        self, schema: dict[str, Any], method: StructuredMethod, strict: bool | None
    ) -> dict[str, Any]:
        """Ollama's ``format``: a JSON schema, or ``"json"`` for JSON mode."""
        return {"format": schema if method == "json_schema" or schema else "json"}

    # ------------------------------------------------------------------ transport and parsing
    def _chat_transport(self) -> OllamaTransport:
        return OllamaTransport(*self._sdk_clients())

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        return parse_response(raw.body)

    def _stream_state(self, request: VendorRequest) -> OllamaStreamState:
        return OllamaStreamState()

    def _map_error(self, error: BaseException) -> BaseException:
        return map_ollama_error(error, self.provider, self.model_name, self.base_url)

    # ------------------------------------------------------------------ models on the server
    def list_models(self) -> list[dict[str, Any]]:
        """Models on the server (``/api/tags``), as Ollama describes them."""
        try:
            body = self._sdk_clients()[0]._request(dict, "GET", "/api/tags")
        except Exception as error:
            raise self._map_error(error) from error
        return list(body.get("models") or [])

    def show_model(self, model: str | None = None) -> dict[str, Any]:
        """Details of a model (``/api/show``): parameters, template, ``model_info``, capabilities."""
        try:
            body: dict[str, Any] = self._sdk_clients()[0]._request(
                dict, "POST", "/api/show", json={"model": model or self.model_name}
            )
        except Exception as error:
            raise self._map_error(error) from error
        return body
