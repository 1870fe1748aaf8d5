#!/usr/bin/env bash
# Build a llama-cpp-python wheel once per machine and cache it: its server
# (`python -m llama_cpp.server --chat_format chatml-function-calling`) forces
# tool calls by grammar, which llama-server does not do for this tiny model.
set -euo pipefail
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
CACHE="${POLYPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/polyport}/wheels"
mkdir -p "$CACHE"
if ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
  ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl | head -1
  exit 0
fi
PY="${PYTHON:-python3}"
CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF" \
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  "$PY" -m pip wheel --no-deps "llama-cpp-python==$VERSION" -w "$CACHE" >&2
ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl | head -1
