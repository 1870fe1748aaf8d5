"""The declarative provider format, in its one canonical spelling.

Alias spellings (goose, Polydev) are rewritten to these names before
validation by ``_aliases``; the models themselves know only the canonical
names so the published JSON Schema documents one format.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from polyport_core.spec._params import check_params_schema, compile_params
from polyport_core.spec._platform import AdapterSpec, AWSSpec, EnvVarSpec, TLSSpec, check_proxy_url
from polyport_core.spec._usage import UsageEndpointSpec

__all__ = [
    "ENGINES_KNOWN",
    "AuthSpec",
    "BudgetSpec",
    "HTTPEngineSpec",
    "HTTPPromptSpec",
    "HTTPResponseSpec",
    "HTTPStreamSpec",
    "LimitsSpec",
    "ModelSpec",
    "PricingSpec",
    "ProviderSpec",
    "QuirksSpec",
]

ENGINES_KNOWN = ("openai", "anthropic", "ollama")
"""Engines that ship with polyport; others may register through entry points."""

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_HEADER_NAME_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
ToolChoiceValue = Literal["required", "named", "none", "auto"]


def _header_value(value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise ValueError("a header value without CR/LF/NUL characters")
    return value


HeaderValue = Annotated[str, AfterValidator(_header_value)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class PricingSpec(_Strict):
    """USD per million tokens; a missing price means unknown, never free."""

    input: Decimal | None = Field(default=None, ge=0, strict=False)
    output: Decimal | None = Field(default=None, ge=0, strict=False)
    cache_read: Decimal | None = Field(default=None, ge=0, strict=False)
    cache_write: Decimal | None = Field(default=None, ge=0, strict=False)
    currency: Literal["USD"] = "USD"


class QuirksSpec(_Strict):
    """Server deviations from the engine's wire protocol, applied by the partner."""

    drop_params: list[str] = Field(default_factory=list)
    """Request fields removed before sending (e.g. ``parallel_tool_calls``, ``strict``)."""
    developer_as_system: bool | None = None
    """Send the ``developer`` role as ``system``."""
    unsupported_tool_choice: list[ToolChoiceValue] = Field(default_factory=list)
    send_reasoning: bool | None = None
    stream_usage: bool | None = None
    """Ask for a usage chunk on streams (off for servers that reject stream_options)."""
    forced_tool_calls: Literal["native", "json_schema"] | None = None
    """``json_schema``: emulate forced tool calls with grammar-constrained JSON (servers that
    accept ``tool_choice`` but do not enforce it, e.g. llama.cpp with small models)."""

    def merged(self, other: QuirksSpec | None) -> QuirksSpec:
        """These quirks overlaid by ``other`` (a model's own quirks win)."""
        if other is None:
            return self
        data = self.model_dump()
        for key, value in other.model_dump(exclude_unset=True).items():
            if isinstance(value, list):
                data[key] = sorted(set(data.get(key) or []) | set(value))
            else:
                data[key] = value
        return QuirksSpec.model_validate(data)


class LimitsSpec(_Strict):
    """Rate limits the governance layer enforces per provider (or per model)."""

    requests_per_minute: int | None = Field(default=None, gt=0)
    requests_per_hour: int | None = Field(default=None, gt=0)
    tokens_per_minute: int | None = Field(default=None, gt=0)
    tokens_per_hour: int | None = Field(default=None, gt=0)
    max_concurrency: int | None = Field(default=None, gt=0)
    fail_fast: bool = False
    """Refuse at once with ``RateLimitError`` when a limit is reached, instead of waiting."""
    max_wait_s: float | None = Field(default=None, ge=0)
    """Longest wait for a limit before refusing (default 60 s)."""
    scope: str | None = None
    """Whose calls share the counters: unset = the whole provider; ``user`` (each user its own),
    ``user:u1``, ``tag`` / ``tag:team:search``, ``profile`` / ``profile:NAME``, ``model`` (each model)."""


class BudgetSpec(_Strict):
    """Spend caps in USD with an alert threshold (a fraction of the cap)."""

    daily_usd: Decimal | None = Field(default=None, gt=0, strict=False)
    monthly_usd: Decimal | None = Field(default=None, gt=0, strict=False)
    alert_threshold: float = Field(default=0.8, gt=0, le=1)
    scope: str | None = None
    """Whose calls share the cap: unset = the whole provider; ``user`` (a cap per user), ``user:u1``,
    ``tag`` / ``tag:team:search``, ``profile`` / ``profile:NAME``, ``model`` (a cap per model)."""


AuthType = Literal[
    "none",
    "bearer",
    "header",
    "query",
    "oauth2_client_credentials",
    "oauth2_pkce",
    "oauth2_device",
    "token_provider",
]
_SIGN_IN_AUTH = ("oauth2_pkce", "oauth2_device")


class AuthSpec(_Strict):
    """How requests are authenticated. Secrets are references, resolved late.

    ``api_key`` may be a literal (discouraged), ``${ENV}``, ``env:NAME`` or
    ``keyring:service/name``; ``api_key_env`` names an environment variable.
    ``oauth2_pkce`` / ``oauth2_device`` (goose: ``oauth``) are sign-ins of a person with
    ``polyport auth login``; their tokens live in the secret store, never in this file.
    """

    type: AuthType = "bearer"
    api_key: SecretStr | None = None
    api_key_env: str | None = None
    header_name: str | None = None
    """Header carrying the key (``type: header``), e.g. ``x-api-key``."""
    prefix: str | None = None
    """Text before the key in the header (``Bearer `` for bearer auth)."""
    header_value: SecretStr | None = None
    """A full header value template, e.g. ``Bearer {api_key}`` (goose)."""
    query_param: str | None = None
    authorization_url: str | None = None
    """Where a person signs in (``oauth2_pkce``)."""
    device_authorization_url: str | None = None
    """Where a device sign-in starts (``oauth2_device``, RFC 8628)."""
    token_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    client_secret_env: str | None = None
    scopes: list[str] = Field(default_factory=list)
    audience: str | None = None
    token_provider: str | None = None
    """``module:callable`` returning a bearer token (Azure AD style)."""
    required: bool = True
    """Whether a missing key is an error at model creation (false for local servers)."""
    profile: str | None = None
    """The saved credential used by default (``polyport auth login --profile``); ``auth_profile=``
    and ``$POLYPORT_AUTH_PROFILE`` override it."""

    @field_validator("type", mode="before")
    @classmethod
    def _type_spelling(cls, value: Any) -> Any:
        return "oauth2_pkce" if value == "oauth" else value  # goose's spelling of a person's sign-in

    @field_validator("header_name")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value is not None and not _HEADER_NAME_RE.match(value):
            raise ValueError("a valid HTTP header name (letters, digits, '-')")
        return value

    @field_validator("api_key_env", "client_secret_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ValueError("an environment variable name like MY_API_KEY")
        return value

    @field_validator("token_provider")
    @classmethod
    def _import_path(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[\w.]+:[\w.]+$", value):
            raise ValueError("an import path 'module:callable'")
        return value

    @model_validator(mode="after")
    def _complete(self) -> AuthSpec:
        if self.type == "query" and not self.query_param:
            raise ValueError("'query_param' when type is 'query'")
        if self.type == "oauth2_client_credentials":
            missing = [n for n in ("token_url", "client_id") if not getattr(self, n)]
            if not (self.client_secret or self.client_secret_env):
                missing.append("client_secret")
            if missing:
                raise ValueError(f"{', '.join(missing)} for oauth2_client_credentials")
        if self.type in _SIGN_IN_AUTH:
            url = "authorization_url" if self.type == "oauth2_pkce" else "device_authorization_url"
            missing = [n for n in (url, "token_url", "client_id") if not getattr(self, n)]
            if missing:
                raise ValueError(f"{', '.join(missing)} for {self.type}")
        if self.type == "token_provider" and not self.token_provider:
            raise ValueError("'token_provider' when type is 'token_provider'")
        if self.type == "header" and not (self.header_name or self.header_value):
            raise ValueError("'header_name' (e.g. x-api-key) or 'header_value' when type is 'header'")
        return self

    @field_validator("token_url", "authorization_url", "device_authorization_url")
    @classmethod
    def _token_url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)


class ModelSpec(_Strict):
    """One model a provider serves, with its declared facts (they beat the catalog)."""

    id: str = Field(min_length=1)
    display_name: str | None = None
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    tools: bool | None = None
    tool_choice: bool | None = None
    parallel_tool_calls: bool | None = None
    vision: bool | None = None
    json_schema: bool | None = None
    streaming_usage: bool | None = None
    reasoning: bool | None = None
    embeddings: bool | None = None
    dimensions: int | None = Field(default=None, gt=0)
    pricing: PricingSpec | None = None
    quirks: QuirksSpec | None = None
    default_params: dict[str, Any] = Field(default_factory=dict)
    limits: LimitsSpec | None = None
    deployment: str | None = Field(default=None, min_length=1)
    """Azure OpenAI: the deployment serving this model (default: the model id)."""
    params: dict[str, dict[str, Any]] | None = None
    """Call options the model accepts: option name → JSON Schema of its value (e.g.
    ``{"temperature": {"type": "number", "maximum": 1}}``). A constructor or call-time
    value outside its schema is refused before sending; options not listed are not checked."""

    @field_validator("id")
    @classmethod
    def _no_space(cls, value: str) -> str:
        if value != value.strip() or "\n" in value:
            raise ValueError("a model id without surrounding spaces or newlines")
        return value

    @field_validator("params")
    @classmethod
    def _params_schemas(cls, value: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
        if value:
            check_params_schema(value)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> ModelSpec:
        if self.context_window and self.max_output_tokens and self.max_output_tokens > self.context_window:
            raise ValueError("max_output_tokens not larger than context_window")
        for check in compile_params(self.params or {}):
            if check.name in self.default_params:
                problem = check.problem(self.default_params[check.name])
                if problem:
                    raise ValueError(f"default_params.{check.name} within params.{check.name} ({problem})")
        return self


HTTP_PLACEHOLDERS = (
    "messages",
    "prompt",
    "model",
    "max_tokens",
    "temperature",
    "stop",
    "stream",
    "json_schema",
    "system",
    "last_message",
)
"""Names a ``{placeholder}`` in an ``http.body`` template may use."""
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER_RE.findall(value))
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value)) if value else set()
    return set()


class HTTPPromptSpec(_Strict):
    """How chat messages become the one string behind ``{prompt}`` (completion-style APIs)."""

    message: str = "{role}: {content}\n"
    """Rendered per message with ``{role}`` and ``{content}``."""
    prefix: str = ""
    suffix: str = "assistant: "
    """Appended after the last message: where the model continues."""
    roles: dict[str, str] = Field(
        default_factory=lambda: {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}
    )
    """LangChain message type → role name in the prompt."""


class HTTPResponseSpec(_Strict):
    """Where the answer sits in a response body, as JSON paths (``choices[0].message.content``)."""

    text: str
    finish_reason: str | None = None
    input_tokens: str | None = None
    output_tokens: str | None = None
    cache_read_tokens: str | None = None
    """Prompt tokens served from the server's cache, part of ``input_tokens`` (llama.cpp: ``timings.cache_n``)."""
    model: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    """``response_metadata`` key → JSON path, e.g. ``{"timings": "timings"}``."""


class HTTPStreamSpec(_Strict):
    """How a streamed response is read: one event per SSE ``data:`` field or NDJSON line."""

    format: Literal["sse", "ndjson"] = "sse"
    text: str
    """JSON path of the text delta in each event."""
    done: str | None = None
    """JSON path whose value marks the final event (truthy, or equal to ``done_value``)."""
    done_value: Any = None
    done_data: str | None = "[DONE]"
    """Raw event data that ends the stream (OpenAI's ``[DONE]``)."""

    @model_validator(mode="after")
    def _has_end(self) -> HTTPStreamSpec:
        if self.done is None and self.done_data is None:
            raise ValueError("'done' (a JSON path) or 'done_data' so the end of a stream is recognised")
        return self


class HTTPEngineSpec(_Strict):
    """The declarative HTTP engine (``engine: "http"``): a request template and a response map.

    Usage, finish reason and metadata of a stream are read from the final event
    with the ``response`` paths.
    """

    path: str = Field(min_length=1)
    """Request path under ``base_url``, e.g. ``/completion``."""
    body: dict[str, Any]
    """JSON body template. A string that is exactly ``{name}`` becomes the typed value
    (and the key is dropped when the value is unset); ``{name}`` inside text is formatted."""
    prompt: HTTPPromptSpec = Field(default_factory=HTTPPromptSpec)
    response: HTTPResponseSpec
    stream: HTTPStreamSpec | None = None
    """Without it, streaming calls make one request and yield the whole answer."""
    finish_reasons: dict[str, str] = Field(default_factory=dict)
    """Vendor finish reason → LangChain's (``stop``, ``length``...)."""
    models_path: str | None = None
    models_field: str = "data"
    """JSON path of the model list in the ``models_path`` body."""

    @field_validator("path", "models_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("a path starting with '/', e.g. /v1/generate")
        return value

    @model_validator(mode="after")
    def _known_placeholders(self) -> HTTPEngineSpec:
        unknown = sorted(_placeholders(self.body) - set(HTTP_PLACEHOLDERS))
        if unknown:
            raise ValueError(
                f"body placeholders from {', '.join(HTTP_PLACEHOLDERS)}; unknown: {', '.join(unknown)}"
            )
        return self


class ProviderSpec(_Strict):
    """One provider: where it is, how to talk to it, what it serves and what it costs."""

    schema_: str | None = Field(default=None, alias="$schema")
    id: str
    display_name: str | None = None
    description: str | None = None
    engine: str
    base_url: str
    auth: AuthSpec = Field(default_factory=lambda: AuthSpec(type="none", required=False))
    headers: dict[str, HeaderValue] = Field(default_factory=dict)
    query_params: dict[str, str] = Field(default_factory=dict)
    default_params: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0, le=20)
    enabled: bool = True
    priority: int = 0
    quirks: QuirksSpec = Field(default_factory=QuirksSpec)
    limits: LimitsSpec | None = None
    budget: BudgetSpec | None = None
    models: list[ModelSpec] = Field(default_factory=list)
    default_model: str | None = Field(default=None, min_length=1)
    """The model ``init_chat_model("provider")`` and ``polyport test PROVIDER`` use when none is named."""
    allowed_models: list[str] | None = None
    """An allowlist: any other model id is refused before a model is built (nothing is sent)."""
    docs_url: str | None = None
    http: HTTPEngineSpec | None = None
    usage: UsageEndpointSpec | None = None
    """Where the vendor reports the account's usage and spend (``polyport usage --remote``)."""
    """Request template and response map of the declarative ``http`` engine."""
    streaming: bool = True
    """False: the server cannot stream, so ``stream()`` makes one non-streamed call (goose
    ``supports_streaming``)."""
    tls: TLSSpec | None = None
    """Certificate checks, minimum TLS version and CA bundle of every connection."""
    proxy: str | None = Field(
        default=None,
        repr=False,
        examples=["http://user:${PROXY_PASSWORD}@proxy.example.com:3128"],
    )
    """HTTP(S) proxy every connection to the provider goes through (chat, embeddings, model listing,
    usage). It wins over ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` and ``NO_PROXY``; without it those
    variables apply as usual. Userinfo is a secret: masked wherever the spec is shown. A ``${VAR}``
    that is unset or empty means no proxy."""
    api_version: str | None = None
    """Azure OpenAI: the ``api-version`` query parameter."""
    region: str | None = None
    """Cloud region (Bedrock, Vertex)."""
    project_id: str | None = None
    """Google Cloud project (Vertex)."""
    credentials_file: str | None = None
    """Google service-account key file (Vertex); default: application default credentials."""
    aws: AWSSpec | None = None
    """AWS credentials (Bedrock); default: the AWS SDK's own chain."""
    env_vars: list[EnvVarSpec] = Field(default_factory=list)
    """Environment variables the file reads; their defaults fill ``${NAME}`` references."""
    catalog_provider_id: str | None = None
    """The catalog entry this provider mirrors (goose), informational."""
    adapter: AdapterSpec | None = None
    """The registered engine a ``custom-adapter`` names (Polydev ``adapterConfig``)."""
    _source: str = PrivateAttr(default="")
    _dialect: str = PrivateAttr(default="polyport")
    _notes: list[str] = PrivateAttr(default_factory=list)

    @property
    def source(self) -> str:
        """Where this spec came from: a file path, ``preset:<file>`` or ``plugin:<name>``."""
        return self._source

    @property
    def dialect(self) -> str:
        """The format the file was written in: ``polyport``, ``goose`` or ``polydev``."""
        return self._dialect

    @property
    def notes(self) -> list[str]:
        """What loading assumed about the file (e.g. the unit of Polydev prices), one line each."""
        return list(self._notes)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("an id of letters, digits, '_', '-', '.' (no ':' or '/')")
        return value

    @field_validator("engine")
    @classmethod
    def _engine(cls, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9_\-]*$", value):
            raise ValueError(f"an engine name ({', '.join(ENGINES_KNOWN)} or a registered one)")
        return value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy(cls, value: Any) -> Any:
        if value == "":
            return None
        return check_proxy_url(value) if isinstance(value, str) else value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _HEADER_NAME_RE.match(name):
                raise ValueError(f"valid header names, not {name!r}")
        return value

    @field_validator("models")
    @classmethod
    def _unique_models(cls, value: list[ModelSpec]) -> list[ModelSpec]:
        seen: set[str] = set()
        for model in value:
            if model.id in seen:
                raise ValueError(f"unique model ids; {model.id!r} appears twice")
            seen.add(model.id)
        return value

    @model_validator(mode="after")
    def _default_allowed(self) -> ProviderSpec:
        allowed, default = self.allowed_models, self.default_model
        if allowed is not None and default is not None and default not in allowed:
            raise ValueError(f"default_model {default!r} among allowed_models")
        return self

    def allows(self, model_id: str) -> bool:
        """Whether ``model_id`` passes the ``allowed_models`` allowlist (no list: every model)."""
        return self.allowed_models is None or model_id in self.allowed_models

    @model_validator(mode="after")
    def _http_section(self) -> ProviderSpec:
        if self.engine == "http" and self.http is None:
            raise ValueError("an 'http' section (path, body, response) when engine is 'http'")
        return self

    def model(self, model_id: str) -> ModelSpec | None:
        """The declared model ``model_id``, or None when the spec does not list it."""
        return next((m for m in self.models if m.id == model_id), None)


def check_url(value: str) -> str:
    """An http(s) URL with a host and no whitespace; trailing slash removed."""
    from urllib.parse import urlsplit

    if any(c.isspace() for c in value):
        raise ValueError("a URL without spaces")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an http(s) URL like https://api.example.com/v1")
    return value.rstrip("/")
