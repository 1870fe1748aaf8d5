"""langchain-tests' ``ChatModelIntegrationTests`` exactly as published (no xfails, no overrides of
test methods) for every polyport chat engine and for the langchain-* classes they replace, on
the one llama-server of the session, all at ``temperature=0, max_tokens=128``.

Each polyport row is built the way a user gets it by default; each langchain-* row copies the
capability flags of the polyport suite it is compared with (the flags a polyport suite declares
are read from its class in ``make test``, so the comparison follows them). ``scripts/suite_table.py``
runs this module and writes tests/benchmarks/results/suite-table.md.

Collection guard: the file name does not match ``test_*.py``, so ``make test`` never collects it;
pytest collects a module outside ``python_files`` only when it is named on the command line.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from polyport_core.adapters import ChatHTTP
from polyport_core.registry import Registry, init_chat_model
from polyport_core.testing import LlamaServer

ROOT = Path(__file__).resolve().parents[2]
HTTP_SPECS = ROOT / "libs/core/tests/integration_tests/specs"
SETTINGS: dict[str, Any] = {"temperature": 0, "max_tokens": 128}

FLAGS = (
    "has_tool_calling",
    "has_tool_choice",
    "has_structured_output",
    "structured_output_kwargs",
    "supports_json_mode",
    "supports_image_inputs",
    "supports_image_urls",
    "supports_image_tool_message",
    "supports_pdf_inputs",
    "supports_pdf_tool_message",
    "supports_audio_inputs",
    "supports_video_inputs",
    "supports_anthropic_inputs",
    "returns_usage_metadata",
    "supported_usage_metadata_details",
    "supports_model_override",
    "model_override_value",
    "enable_vcr_tests",
)
"""Every property of langchain-tests' chat suites that turns tests on or off or changes their input."""

_OPENAI = "libs/partners/openai/tests/integration_tests/test_standard_local.py"
SUITES = {
    "openai-defaults": (_OPENAI, "TestChatOpenAIDefaultsLocal"),
    "openai-preset": (_OPENAI, "TestChatOpenAILocal"),
    "anthropic": ("libs/partners/anthropic/tests/integration_tests/test_anthropic_llama_server.py",
                  "TestChatAnthropicLlamaServer"),
    "llamacpp": ("libs/partners/llamacpp/tests/integration_tests/test_llamacpp_server.py", "TestChatLlamaCppServer"),
    "http": ("libs/core/tests/integration_tests/test_http_engine_local.py", "TestHTTPEngineLlamaCpp"),
}  # fmt: skip
"""The polyport suites in ``make test`` whose flags each row uses: file, class."""


HELPERS = (
    "invoke_with_audio_input",
    "invoke_with_audio_output",
    "invoke_with_reasoning_output",
    "invoke_with_cache_read_input",
    "invoke_with_cache_creation_input",
)
"""Methods ``test_usage_metadata`` calls for each detail in ``supported_usage_metadata_details``."""


@functools.cache
def _declared(suite: str) -> type[ChatModelIntegrationTests]:
    path, name = SUITES[suite]
    spec = importlib.util.spec_from_file_location(f"_suite_flags_{suite.replace('-', '_')}", ROOT / path)
    assert spec is not None, path
    assert spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    declared: type[ChatModelIntegrationTests] = getattr(module, name)
    return declared


def declared_flags(suite: str) -> dict[str, Any]:
    """The capability flags the ``make test`` suite ``suite`` declares (read from its class)."""
    instance = _declared(suite)()
    return {flag: getattr(instance, flag) for flag in FLAGS}


def declared_helpers(suite: str) -> dict[str, Any]:
    """The usage-detail helpers the suite defines itself (they build its own engine)."""
    cls = _declared(suite)
    return {
        name: getattr(cls, name)
        for name in HELPERS
        if getattr(cls, name) is not getattr(ChatModelIntegrationTests, name)
    }


def _http_registry(server: LlamaServer) -> Registry:
    registry = Registry.discover(
        presets=False, plugins=False, user=False, project=[HTTP_SPECS], env={"LLAMACPP_BASE_URL": server.base_url}
    )
    assert not registry.errors, registry.errors
    return registry


def _preset_registry(server: LlamaServer) -> Registry:
    registry = Registry.discover(
        plugins=False, user=False, project=[], env={"LLAMACPP_BASE_URL": server.openai_base_url}
    )
    assert not registry.errors, registry.errors
    return registry


Builder = Callable[[LlamaServer], tuple[type[BaseChatModel], dict[str, Any], Callable[..., BaseChatModel] | None]]
"""server → (class, constructor params, or a factory the ``model`` fixture uses instead)."""


def _polyport_openai(server: LlamaServer) -> Any:
    from polyport_openai import ChatOpenAI

    return ChatOpenAI, {"model": "gemma", "base_url": server.openai_base_url, "api_key": "x", **SETTINGS}, None


def _langchain_openai(server: LlamaServer) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI, {"model": "gemma", "base_url": server.openai_base_url, "api_key": "x", **SETTINGS}, None


def _polyport_openai_preset(server: LlamaServer) -> Any:
    from polyport_core.registry import SpecSettings
    from polyport_openai import ChatOpenAI

    registry = _preset_registry(server)
    quirks = SpecSettings.resolve(registry.get("llamacpp"), "gemma", {}).set_quirks()
    params = {"model": "gemma", "base_url": server.openai_base_url, **quirks, **SETTINGS}

    def factory(**extra: Any) -> BaseChatModel:
        return init_chat_model("llamacpp:gemma", registry=registry, **{**SETTINGS, **extra})

    return ChatOpenAI, params, factory


def _polyport_anthropic(server: LlamaServer) -> Any:
    from polyport_anthropic import ChatAnthropic

    return ChatAnthropic, {"model": "gemma", "base_url": server.base_url, "api_key": "x", **SETTINGS}, None


def _polyport_anthropic_quirk(server: LlamaServer) -> Any:
    cls, params, factory = _polyport_anthropic(server)
    return cls, {**params, "forced_tool_calls": "json_schema"}, factory


def _langchain_anthropic(server: LlamaServer) -> Any:
    from langchain_anthropic import ChatAnthropic

    return ChatAnthropic, {"model": "gemma", "base_url": server.base_url, "api_key": "x", **SETTINGS}, None


def _llamacpp(server: LlamaServer) -> Any:
    from polyport_llamacpp import ChatLlamaCpp

    return ChatLlamaCpp, {"model": "gemma", "base_url": server.base_url, **SETTINGS}, None


def _http_engine(server: LlamaServer) -> Any:
    registry = _http_registry(server)
    spec = registry.get("llamacpp-native")
    params = {"model": "gemma", "provider": spec.id, "base_url": spec.base_url, "http": spec.http, **SETTINGS}

    def factory(**extra: Any) -> BaseChatModel:
        return init_chat_model("llamacpp-native:gemma", registry=registry, **{**SETTINGS, **extra})

    return ChatHTTP, params, factory


def _suite(builder: Builder, flags: str, *, helpers: bool = True) -> type[ChatModelIntegrationTests]:
    """A ``ChatModelIntegrationTests`` subclass: upstream's tests, ``flags`` from that polyport suite
    (and, for a polyport row, the suite's usage-detail helpers, which build the polyport engine)."""

    class Suite(ChatModelIntegrationTests):
        _built: Any = None
        _server: LlamaServer | None = None  # what the suites' helpers read

        @pytest.fixture(autouse=True)
        def _bind_server(self, llama_server: LlamaServer) -> None:
            type(self)._built = builder(llama_server)
            type(self)._server = llama_server

        @property
        def chat_model_class(self) -> type[BaseChatModel]:
            return type(self)._built[0]  # type: ignore[no-any-return]

        @property
        def chat_model_params(self) -> dict[str, Any]:
            return dict(type(self)._built[1])

        @pytest.fixture
        def model(self, llama_server: LlamaServer, request: Any) -> BaseChatModel:
            cls, params, factory = builder(llama_server)
            extra = getattr(request, "param", None) or {}
            return factory(**extra) if factory is not None else cls(**{**params, **extra})

    for flag, value in declared_flags(flags).items():
        setattr(Suite, flag, property(lambda self, value=value: value))
    for name, method in declared_helpers(flags).items() if helpers else ():
        setattr(Suite, name, method)
    return Suite


class TestPolyportOpenAIDefaults(_suite(_polyport_openai, "openai-defaults")):  # type: ignore[misc]
    """polyport_openai.ChatOpenAI(base_url, model, api_key, temperature, max_tokens): no quirk flags."""


class TestPolyportOpenAIPreset(_suite(_polyport_openai_preset, "openai-preset")):  # type: ignore[misc]
    """init_chat_model("llamacpp:gemma"): the bundled preset's quirks."""


class TestLangchainOpenAI(_suite(_langchain_openai, "openai-defaults", helpers=False)):  # type: ignore[misc]
    """langchain_openai.ChatOpenAI with the same arguments and flags as TestPolyportOpenAIDefaults."""


class TestPolyportAnthropic(_suite(_polyport_anthropic, "anthropic")):  # type: ignore[misc]
    """polyport_anthropic.ChatAnthropic(base_url, model, api_key, temperature, max_tokens)."""


class TestPolyportAnthropicQuirk(_suite(_polyport_anthropic_quirk, "anthropic")):  # type: ignore[misc]
    """polyport_anthropic.ChatAnthropic with the declared forced_tool_calls="json_schema" quirk, as in make test."""


class TestLangchainAnthropic(_suite(_langchain_anthropic, "anthropic", helpers=False)):  # type: ignore[misc]
    """langchain_anthropic.ChatAnthropic with the same arguments and flags as TestPolyportAnthropic."""


class TestPolyportLlamaCpp(_suite(_llamacpp, "llamacpp")):  # type: ignore[misc]
    """polyport_llamacpp.ChatLlamaCpp on the native /completion endpoint."""


class TestPolyportHTTPEngine(_suite(_http_engine, "http")):  # type: ignore[misc]
    """The declarative ``http`` engine from specs/llamacpp-native.json, through init_chat_model."""
