"""langchain-tests' standard unit suite for ChatAnthropic (no network).

The unit suite reads no media or ``supports_anthropic_inputs`` flags; they are set on the
integration class against llama-server (integration_tests/test_anthropic_llama_server.py).
"""

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
