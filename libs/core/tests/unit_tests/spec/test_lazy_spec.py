"""The spec package loads its models, loader and schema only when something uses them.

Chat models import ``TLSSpec`` and the params checks from it; a model built by hand (no
provider file) must not pay for the whole declarative format at import time.
"""

from __future__ import annotations

import subprocess
import sys


def test_a_chat_model_import_does_not_load_the_spec_models() -> None:
    code = (
        "import sys\n"
        "from polyport_core.chat import ProviderChatModel\n"
        "from polyport_core.spec import TLSSpec, compile_params\n"
        "print(sorted(m for m in ('polyport_core.spec._models', 'polyport_core.spec._loader', "
        "'polyport_core.spec._schema') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_names_resolve_to_their_modules() -> None:
    from polyport_core import spec
    from polyport_core.spec import _loader, _models

    assert spec.ProviderSpec is _models.ProviderSpec
    assert spec.load_file is _loader.load_file
