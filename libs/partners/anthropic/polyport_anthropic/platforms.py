"""Claude on AWS Bedrock and Google Vertex AI, through the SDK's own platform clients."""

from __future__ import annotations

import os
from typing import Any

from langchain_core.utils.utils import secret_from_env
from polyport_core.transport import ClientPair
from pydantic import Field, SecretStr

from polyport_anthropic._clients import make_clients
from polyport_anthropic.chat_models import ChatAnthropic

__all__ = ["ChatAnthropicBedrock", "ChatAnthropicVertex"]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


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

    def _make_clients(self) -> ClientPair:
        settings: dict[str, Any] = {"base_url": self.base_url, "access_token": _secret(self.access_token)}
        if self.project_id:
            settings["project_id"] = self.project_id
        if self.region:
            settings["region"] = self.region
        if self.credentials is not None:
            settings["credentials"] = self.credentials
        return make_clients(self, settings, "Vertex")
