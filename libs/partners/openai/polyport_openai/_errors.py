"""openai SDK errors → polyport's error hierarchy, naming provider and model."""

from __future__ import annotations

from polyport_core.transport import map_sdk_error

__all__ = ["map_openai_error"]


def map_openai_error(error: BaseException, provider: str, model: str) -> BaseException:
    """The polyport error for an openai SDK (or httpx2 transport) exception."""
    import openai

    return map_sdk_error(error, openai, provider=provider, model=model)
