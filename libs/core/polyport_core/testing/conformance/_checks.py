"""``PolyportChatChecks``: polyport's own conformance tests, as a pytest mixin.

They need only ``chat_model_class`` and ``chat_model_params`` (the same
properties langchain-tests' classes use), so the mixin sits on top of either
standard class. What they prove: the governance seam is called on every path,
usage is reported or estimated *and marked so*, errors come out in polyport's
hierarchy, and the capabilities a spec declares are the ones the doctor observes.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk

from polyport_core.chat import ProviderChatModel
from polyport_core.doctor import (
    DoctorTarget,
    Status,
    check_parallel_tools,
    check_stream,
    check_structured,
    check_tools_forced,
)
from polyport_core.errors import AuthenticationError, NotFoundError, PolyportError
from polyport_core.registry import Registry
from polyport_core.spec import ModelSpec, ProviderSpec
from polyport_core.testing.conformance._recording import RecordingHooks

__all__ = ["DECLARED_CHECKS", "PolyportChatChecks", "doctor_target_for"]

DECLARED_CHECKS = {
    "tool_choice": check_tools_forced,
    "json_schema": check_structured("json_schema"),
    "streaming_usage": check_stream,
    "parallel_tool_calls": check_parallel_tools,
}
"""Declared model-spec field → the doctor check that observes it."""


class _FactoryTarget(DoctorTarget):
    """A doctor target that builds models from a class and params instead of the registry."""

    factory: Any = None

    def chat(self, model: str | None = None, **overrides: Any) -> BaseChatModel:
        """A model from the factory with the doctor's defaults and ``overrides``."""
        kwargs: dict[str, Any] = {"temperature": 0, "max_tokens": self.max_tokens, **overrides}
        if model is not None:
            kwargs["model"] = model
        built: BaseChatModel = self.factory(**kwargs)
        return built


def doctor_target_for(cls: type[BaseChatModel], params: dict[str, Any], max_tokens: int = 64) -> DoctorTarget:
    """A ``DoctorTarget`` for a model class and constructor params (no spec file needed)."""
    model = str(params.get("model") or params.get("model_name") or "model")
    provider = str(params.get("provider") or "conformance")
    spec = ProviderSpec(id=provider, engine="conformance", base_url="http://conformance.invalid")
    target = _FactoryTarget(spec=spec, model=model, registry=Registry(), max_tokens=max_tokens)
    target.factory = lambda **kw: cls(**{**params, **kw})
    return target


class PolyportChatChecks:
    """polyport's checks; mix into a langchain-tests class (or use alone with the two properties)."""

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        """The chat model class under test."""
        raise NotImplementedError

    @property
    def chat_model_params(self) -> dict[str, Any]:
        """Constructor params of the model under test (cap ``max_tokens`` for local models)."""
        return {}

    @property
    def polyport_bad_key_params(self) -> dict[str, Any] | None:
        """Params that make the server reject the key (None: the server checks no keys)."""
        return None

    @property
    def polyport_unknown_model_is_error(self) -> bool:
        """False for servers that serve one fixed model whatever the request names."""
        return True

    @property
    def polyport_declared(self) -> ModelSpec | None:
        """The model's declared capabilities (e.g. from its spec file) to hold against reality."""
        return None

    def _polyport_model(self, **extra: Any) -> Any:
        return self.chat_model_class(**{**self.chat_model_params, **extra})

    def test_polyport_is_provider_chat_model(self) -> None:
        """Partners inherit the one lifecycle; a bypass loses governance and usage marking."""
        assert issubclass(self.chat_model_class, ProviderChatModel)

    def test_polyport_governance_hooks_called(self) -> None:
        """``before_call``/``after_call`` run once per call, with usage on success."""
        hooks = RecordingHooks()
        model = self._polyport_model(call_hooks=hooks)
        message = model.invoke("Hello")
        assert len(hooks.before) == 1
        assert len(hooks.after) == 1
        call, outcome = hooks.after[0]
        assert call is hooks.before[0]
        assert call.model
        assert call.provider
        assert outcome.error is None
        assert outcome.usage is not None
        assert outcome.latency_s > 0
        assert message.response_metadata.get("provider") == call.provider

    def test_polyport_stream_usage_reported_or_marked_estimated(self) -> None:
        """A stream ends with usage and says whether it was estimated; the hooks see the same."""
        hooks = RecordingHooks()
        merged: AIMessageChunk | None = None
        for chunk in self._polyport_model(call_hooks=hooks).stream("Count: one, two,"):
            merged = chunk if merged is None else merged + chunk
        assert merged is not None
        assert merged.usage_metadata is not None
        estimated = merged.response_metadata.get("usage_estimated")
        assert isinstance(estimated, bool)
        assert len(hooks.after) == 1
        assert hooks.after[0][1].usage_estimated is estimated

    def test_polyport_unknown_model_maps_to_not_found(self) -> None:
        """An unknown model id surfaces as ``NotFoundError`` (and the hooks see the error)."""
        if not self.polyport_unknown_model_is_error:
            pytest.skip("the server serves a fixed model whatever the request names")
        hooks = RecordingHooks()
        model = self._polyport_model(model="polyport-no-such-model", call_hooks=hooks, max_retries=0)
        with pytest.raises(NotFoundError):
            model.invoke("Hello")
        assert isinstance(hooks.after[0][1].error, NotFoundError)

    def test_polyport_bad_key_maps_to_authentication_error(self) -> None:
        """A rejected key surfaces as ``AuthenticationError``, a ``PolyportError``."""
        params = self.polyport_bad_key_params
        if params is None:
            pytest.skip("the server checks no keys (polyport_bad_key_params is None)")
        with pytest.raises(AuthenticationError) as info:
            self._polyport_model(max_retries=0, **params).invoke("Hello")
        assert isinstance(info.value, PolyportError)

    def test_polyport_declared_capabilities_hold(self) -> None:
        """Each capability the spec declares is the one the doctor observes."""
        declared = self.polyport_declared
        if declared is None:
            pytest.skip("no declared capabilities (polyport_declared is None)")
        target = doctor_target_for(self.chat_model_class, self.chat_model_params)
        wrong = []
        for field, check in DECLARED_CHECKS.items():
            claim = getattr(declared, field)
            if claim is None:
                continue
            result = check(target)
            seen = result.observed.get(field)
            if seen is not None and seen != claim:
                wrong.append(f"{field}: declared {claim}, observed {seen} ({result.detail})")
            elif seen is None and claim and result.status is Status.FAIL:
                wrong.append(f"{field}: declared {claim}, check failed ({result.detail})")
        assert not wrong, "; ".join(wrong)
