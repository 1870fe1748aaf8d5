"""A chat model over several providers: priority order, error-aware fallback, circuit-breaker cool-down."""

from polyport_core.routing._breaker import CircuitBreaker
from polyport_core.routing._fallback import (
    DEFAULT_FALLBACK_ON,
    LOCAL_REFUSALS,
    FallbackChatModel,
    StreamInterruptedError,
)

__all__ = ["DEFAULT_FALLBACK_ON", "LOCAL_REFUSALS", "CircuitBreaker", "FallbackChatModel", "StreamInterruptedError"]
