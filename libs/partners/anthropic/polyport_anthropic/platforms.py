"""Claude on AWS Bedrock and Google Vertex AI, through the SDK's own platform clients."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Self

from langchain_core.utils.utils import secret_from_env
from polyport_core.errors import InvalidConfigError
from polyport_core.transport import ClientPair
from pydantic import Field, SecretStr

from polyport_anthropic._clients import make_clients
from polyport_anthropic.chat_models import ChatAnthropic

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["ChatAnthropicBedrock", "ChatAnthropicVertex"]

_CLOUD_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _platform_settings(spec: ProviderSpec, model: str, overrides: dict[str, Any], engine: str) -> Any:
    """``SpecSettings`` for a cloud platform engine: no quirks, no query parameters."""
    from polyport_core.registry import SpecSettings

    settings = SpecSettings.resolve(spec, model, overrides)
    settings.quirks_for(engine, ())
    settings.reject_query(engine)
    return settings


def _platform_kwargs(settings: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = settings.common()
    kwargs["base_url"] = settings.base_url
    if settings.headers:
        kwargs["default_headers"] = settings.headers
    return kwargs


class ChatAnthropicBedrock(ChatAnthropic):
    """Claude on AWS Bedrock (SigV4 from AWS keys or profile, or a Bedrock API key).

    Example:
        ```python
        llm = ChatAnthropicBedrock(model="anthropic.claude-sonnet-4-5-20250929-v1:0", aws_region="us-east-1")
        ```
    """

    provider: str = "bedrock"
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("AWS_BEARER_TOKEN_BEDROCK", default=None)
    )
    """Bedrock API key (bearer); leave unset to sign requests with AWS credentials."""
    aws_region: str | None = Field(
        default_factory=lambda: os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    aws_access_key: SecretStr | None = None
    aws_secret_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_profile: str | None = None
    count_tokens_api: bool = False
    """Bedrock has no count endpoint: the offline estimate is used."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """Claude on Bedrock as a provider spec (engine ``anthropic-bedrock``) describes it:
        ``region``, the ``aws`` keys (secret references, resolved now) or a Bedrock API key in ``auth``."""
        from polyport_core.auth import resolve_secret

        settings = _platform_settings(spec, model, overrides, "anthropic-bedrock")
        kwargs = _platform_kwargs(settings)
        kwargs["api_key"] = settings.api_key
        if spec.region:
            kwargs["aws_region"] = spec.region
        aws = spec.aws
        if aws is not None:
            for field, target in (
                ("access_key_id", "aws_access_key"),
                ("secret_access_key", "aws_secret_key"),
                ("session_token", "aws_session_token"),
            ):
                reference = getattr(aws, field)
                if reference is not None:
                    kwargs[target] = resolve_secret(reference, provider=spec.id, field=f"aws.{field}")
            if aws.profile:
                kwargs["aws_profile"] = aws.profile
        return settings.build(cls, kwargs)  # type: ignore[no-any-return]

    @property
    def _sse(self) -> bool:
        return False

    def _make_clients(self) -> ClientPair:
        settings: dict[str, Any] = {
            "aws_region": self.aws_region,
            "base_url": self.base_url,
        }
        if self.api_key is not None:
            settings["api_key"] = _secret(self.api_key)
        else:
            settings.update(
                aws_access_key=_secret(self.aws_access_key),
                aws_secret_key=_secret(self.aws_secret_key),
                aws_session_token=_secret(self.aws_session_token),
                aws_profile=self.aws_profile,
            )
        return make_clients(self, settings, "Bedrock")


class ChatAnthropicVertex(ChatAnthropic):
    """Claude on Google Vertex AI (an access token, google-auth credentials or ADC).

    Example:
        ```python
        llm = ChatAnthropicVertex(
            model="claude-sonnet-4-5@20250929", project_id="my-project", region="us-east5"
        )
        ```
    """

    provider: str = "vertex"
    api_key: SecretStr | None = None
    project_id: str | None = Field(default_factory=lambda: os.environ.get("ANTHROPIC_VERTEX_PROJECT_ID"))
    region: str | None = Field(default_factory=lambda: os.environ.get("CLOUD_ML_REGION"))
    access_token: SecretStr | None = None
    credentials: Any = Field(default=None, exclude=True)
    """google-auth credentials; ADC when neither this nor ``access_token`` is given."""
    credentials_file: str | None = None
    """A service-account key file, read with google-auth when no ``credentials`` are given."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """Claude on Vertex AI as a provider spec (engine ``anthropic-vertex``) describes it:
        ``project_id``, ``region`` and a service-account ``credentials_file`` (else ADC)."""
        settings = _platform_settings(spec, model, overrides, "anthropic-vertex")
        kwargs = _platform_kwargs(settings)
        if settings.api_key is not None:
            kwargs["access_token"] = settings.api_key
        for name in ("project_id", "region", "credentials_file"):
            value = getattr(spec, name)
            if value:
                kwargs[name] = value
        return settings.build(cls, kwargs)  # type: ignore[no-any-return]

    def _service_account(self) -> Any:
        path = str(self.credentials_file)
        try:
            from google.oauth2 import service_account  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise InvalidConfigError(
                f"credentials_file {path}: reading a service-account key needs google-auth "
                "(pip install google-auth)",
                provider=self.provider,
                model=self.model_name,
            ) from None
        try:
            return service_account.Credentials.from_service_account_file(path, scopes=[_CLOUD_SCOPE])
        except (OSError, ValueError) as exc:
            raise InvalidConfigError(
                f"credentials_file {path}: not a readable service-account key ({type(exc).__name__})",
                provider=self.provider,
                model=self.model_name,
            ) from None

    def _make_clients(self) -> ClientPair:
        if self.credentials is None and self.credentials_file and self.access_token is None:
            self.credentials = self._service_account()
        settings: dict[str, Any] = {"base_url": self.base_url, "access_token": _secret(self.access_token)}
        if self.project_id:
            settings["project_id"] = self.project_id
        if self.region:
            settings["region"] = self.region
        if self.credentials is not None:
            settings["credentials"] = self.credentials
        return make_clients(self, settings, "Vertex")
