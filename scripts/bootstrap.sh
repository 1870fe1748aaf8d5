#!/usr/bin/env bash
# Install what a fresh machine lacks: uv (from PyPI), build tools, redis-server and chromium
# (Debian packages, when running as root), the Python environment, and the cached
# llama-server binary. Safe to run repeatedly: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # the dashboard's browser test (headless)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "bootstrap: please install ${missing[*]} (not root, cannot apt-get)" >&2
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv" >&2
  python3 -m pip install --quiet --user uv >&2 || python3 -m pip install --quiet uv >&2
fi
export PATH="$HOME/.local/bin:$PATH"

uv sync --quiet >&2
bash scripts/build_llama_server.sh >/dev/null
