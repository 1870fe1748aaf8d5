"""Conformance kit for provider authors: langchain-tests' standard classes plus polyport's checks.

```python
from polyport_core.testing.conformance import PolyportChatModelIntegrationTests

class TestChatAcme(PolyportChatModelIntegrationTests):
    chat_model_class = ChatAcme  # as properties, like langchain-tests
    ...
```

Importing this module imports pytest and langchain-tests; ``polyport_core.testing``
itself stays light.
"""

from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from polyport_core.testing.conformance._checks import DECLARED_CHECKS, PolyportChatChecks, doctor_target_for
from polyport_core.testing.conformance._local_model import LocalGemmaToolLimits, answer_from_prompt_cache
from polyport_core.testing.conformance._recording import RecordingHooks
from polyport_core.testing.conformance._unit import PolyportUnitChecks

__all__ = [
    "DECLARED_CHECKS",
    "LocalGemmaToolLimits",
    "PolyportChatChecks",
    "PolyportChatModelIntegrationTests",
    "PolyportChatModelUnitTests",
    "PolyportUnitChecks",
    "RecordingHooks",
    "answer_from_prompt_cache",
    "doctor_target_for",
]


class PolyportChatModelUnitTests(PolyportUnitChecks, ChatModelUnitTests):
    """langchain-tests' offline suite plus polyport's offline checks."""


class PolyportChatModelIntegrationTests(PolyportChatChecks, ChatModelIntegrationTests):
    """langchain-tests' live suite plus polyport's live checks (governance, usage, errors, spec)."""
