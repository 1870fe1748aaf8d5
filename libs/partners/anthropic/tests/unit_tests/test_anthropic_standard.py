"""langchain-tests' standard unit suite for ChatAnthropic (no network)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests
from polyport_anthropic import ChatAnthropic


class TestChatAnthropicStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatAnthropic]:
        return ChatAnthropic

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5", "api_key": "sk-ant-test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"ANTHROPIC_API_KEY": "sk-ant-env", "ANTHROPIC_BASE_URL": "https://proxy.example.com"},
            {"model": "claude-sonnet-4-5"},
            {"api_key": "sk-ant-env", "base_url": "https://proxy.example.com"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True
