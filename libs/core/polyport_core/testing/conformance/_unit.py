"""``PolyportUnitChecks``: offline checks every polyport chat model must pass."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from polyport_core.chat import ProviderChatModel
from polyport_core.errors import AuthenticationError, RateLimitError
from polyport_core.testing.conformance._recording import RecordingHooks

__all__ = ["PolyportUnitChecks"]


class PolyportUnitChecks:
    """Mixin for ``ChatModelUnitTests``: lifecycle, governance seam, error pass-through, metadata."""

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        """The chat model class under test."""
        raise NotImplementedError

    @property
    def chat_model_params(self) -> dict[str, Any]:
        """Constructor params of the model under test."""
        return {}

    def test_polyport_is_provider_chat_model(self) -> None:
        """Partners inherit the one lifecycle; a bypass loses governance and usage marking."""
        assert issubclass(self.chat_model_class, ProviderChatModel)

    def test_polyport_accepts_call_hooks(self) -> None:
        """Governance plugs in through ``call_hooks`` and is kept out of serialization."""
        hooks = RecordingHooks()
        model = self.chat_model_class(**self.chat_model_params, call_hooks=hooks)
        assert isinstance(model, ProviderChatModel)
        assert model.call_hooks is hooks
        assert "call_hooks" not in model.model_dump()

    def test_polyport_errors_pass_through_mapping(self) -> None:
        """An error already in polyport's hierarchy is returned as is by ``_map_error``."""
        model = self.chat_model_class(**self.chat_model_params)
        assert isinstance(model, ProviderChatModel)
        for error in (AuthenticationError("bad key", status_code=401), RateLimitError("slow down", retry_after=1)):
            assert model._map_error(error) is error

    def test_polyport_ls_params_name_provider_and_model(self) -> None:
        """Tracing shows which provider and model served a call."""
        model = self.chat_model_class(**self.chat_model_params)
        params = model._get_ls_params()
        assert params.get("ls_provider")
        assert params.get("ls_model_name")
        assert params.get("ls_model_type") == "chat"
