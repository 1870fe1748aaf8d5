"""Azure OpenAI through the SDK's own Azure clients (deployment routing, api-version, AD tokens)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Self

from langchain_core.messages import BaseMessage
from langchain_core.utils.utils import secret_from_env
from polyport_core.errors import InvalidConfigError
from pydantic import AliasChoices, BaseModel, Field, SecretStr

from polyport_openai._clients import ClientPair, connection_options, fresh_async_http_client, sdk_http_client
from polyport_openai.chat_models import _QUIRKS, ChatOpenAI
from polyport_openai.embeddings import OpenAIEmbeddings

if TYPE_CHECKING:
    from polyport_core.registry import SpecSettings
    from polyport_core.spec import ProviderSpec

__all__ = ["AzureChatOpenAI", "AzureOpenAIEmbeddings"]


class _AzureSettings(BaseModel):
    """Fields and client construction shared by the Azure chat model and embedder."""

    api_key: SecretStr | None = Field(
        alias="openai_api_key", default_factory=secret_from_env("AZURE_OPENAI_API_KEY", default=None)
    )
    azure_endpoint: str | None = Field(default_factory=lambda: os.environ.get("AZURE_OPENAI_ENDPOINT"))
    azure_deployment: str | None = Field(
        default=None, validation_alias=AliasChoices("azure_deployment", "deployment_name", "deployment")
    )
    api_version: str | None = Field(
        default_factory=lambda: os.environ.get("OPENAI_API_VERSION"), alias="openai_api_version"
    )
    azure_ad_token: SecretStr | None = Field(default_factory=secret_from_env("AZURE_OPENAI_AD_TOKEN", default=None))
    azure_ad_token_provider: Callable[[], str] | None = Field(default=None, exclude=True)
    azure_ad_async_token_provider: Callable[[], Awaitable[str]] | None = Field(default=None, exclude=True)
    provider: str = "azure"
    http_client: Any = Field(default=None, exclude=True)
    http_async_client: Any = Field(default=None, exclude=True)
    _clients: ClientPair | None

    def _is_official_openai(self) -> bool:
        return True

    def _sdk_clients(self) -> ClientPair:
        has_token_auth = self.azure_ad_token or self.azure_ad_token_provider or self.azure_ad_async_token_provider
        if self._clients is None and self.api_key is None and has_token_auth:
            # The SDK wants *some* key; with Azure AD the token is what authenticates.
            self.api_key = SecretStr("unused-with-azure-ad")
        return super()._sdk_clients()  # type: ignore[misc, no-any-return]

    def _make_clients(self, kwargs: dict[str, Any]) -> ClientPair:
        return self._azure_clients(kwargs, str(getattr(self, "model_name", None) or getattr(self, "model", "")))

    def _azure_clients(self, kwargs: dict[str, Any], model: str) -> ClientPair:
        import openai

        if not self.azure_endpoint:
            raise InvalidConfigError(
                "Azure needs azure_endpoint= or AZURE_OPENAI_ENDPOINT", provider="azure", model=model
            )
        kwargs = dict(kwargs)
        kwargs.pop("base_url", None)
        api_key = kwargs.pop("api_key")
        token = self.azure_ad_token.get_secret_value() if self.azure_ad_token else None
        azure = {
            "azure_endpoint": self.azure_endpoint,
            "azure_deployment": self.azure_deployment,
            "api_version": self.api_version,
        }
        sync_auth: dict[str, Any] = {"api_key": api_key}
        async_auth: dict[str, Any] = {"api_key": api_key}
        if token:
            sync_auth = async_auth = {"azure_ad_token": token}
        elif self.azure_ad_token_provider or self.azure_ad_async_token_provider:
            sync_auth = {"azure_ad_token_provider": self.azure_ad_token_provider}
            async_auth = {
                "azure_ad_token_provider": self.azure_ad_async_token_provider or self.azure_ad_token_provider
            }
        async_client = self.http_async_client
        options = connection_options(self)

        def make_async() -> Any:
            params = {
                **kwargs,
                **azure,
                **async_auth,
                "http_client": async_client or fresh_async_http_client(options),
            }
            return openai.AsyncAzureOpenAI(**params)

        sync_client = sdk_http_client(self.http_client, options)
        sync_params = {**kwargs, **azure, **sync_auth, "http_client": sync_client}
        return ClientPair(openai.AzureOpenAI(**sync_params), make_async)


class AzureChatOpenAI(_AzureSettings, ChatOpenAI):
    """Azure OpenAI chat deployments, with an API key or an Azure AD token (provider)."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """An Azure chat deployment as a provider spec (engine ``azure-openai``) describes it.

        ``base_url`` is the resource endpoint (``https://NAME.openai.azure.com``), ``api_version``
        the ``api-version`` query, a model's ``deployment`` (default: its id) the path segment.
        The key travels in Azure's ``api-key`` header, set by the SDK.
        """
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        kwargs = settings.common()
        kwargs.update(settings.quirks_for("azure-openai", _QUIRKS))
        kwargs.update(_azure_kwargs(settings))
        return settings.build(cls, kwargs)

    @property
    def _llm_type(self) -> str:
        return "azure-openai"

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        payload = super()._build_payload(messages, stop, stream, **kwargs)
        if "input" in payload and self.azure_deployment:
            payload["model"] = self.azure_deployment  # Azure's /responses routes by deployment name
        return payload


class AzureOpenAIEmbeddings(_AzureSettings, OpenAIEmbeddings):
    """Azure OpenAI embedding deployments."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """An Azure embedding deployment as a provider spec (engine ``azure-openai``) describes it."""
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        kwargs = settings.common(chat=False)
        kwargs.update(_azure_kwargs(settings))
        if settings.declared is not None and settings.declared.dimensions:
            kwargs["dimensions"] = settings.declared.dimensions
        return settings.build(cls, kwargs, params=False)


def _azure_kwargs(settings: SpecSettings) -> dict[str, Any]:
    """Endpoint, deployment, api-version, key, headers and query of an Azure spec."""
    declared = settings.declared
    kwargs: dict[str, Any] = {
        "azure_endpoint": settings.base_url.removesuffix("/openai"),
        "azure_deployment": declared.deployment if declared and declared.deployment else settings.model,
        "api_key": settings.api_key,
    }
    if settings.spec.api_version:
        kwargs["api_version"] = settings.spec.api_version
    if settings.headers:
        kwargs["default_headers"] = settings.headers
    if settings.query:
        kwargs["default_query"] = settings.query
    return kwargs
