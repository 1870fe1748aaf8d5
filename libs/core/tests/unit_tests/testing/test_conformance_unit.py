"""The conformance kit's offline classes, used on ChatOpenAI; and ``polyport_core.testing`` stays light."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from polyport_core.testing.conformance import PolyportChatModelUnitTests
from polyport_openai import ChatOpenAI


class TestChatOpenAIPolyportUnit(PolyportChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "api_key": "sk-test"}


def test_importing_the_testing_package_does_not_import_pytest_or_langchain_tests() -> None:
    code = (
        "import sys, polyport_core.testing as t; "
        "assert t.LlamaServer; "
        "print('pytest' in sys.modules, 'langchain_tests' in sys.modules); "
        "t.PolyportChatChecks; "
        "print('langchain_tests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]
