#!/usr/bin/env bash
# Build llama.cpp's `llama-server` once per machine and cache the binary.
# The source ships in the llama-cpp-python sdist (vendor/llama.cpp); a build
# takes several minutes on 2 cores, so a cached binary is reused when present.
# The compiler output (thousands of lines) goes to a log file under the cache
# dir; the terminal gets one progress line, and the log's path on failure.
# Prints the binary's path on stdout.
set -euo pipefail
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
CACHE="${POLYPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/polyport}"
BIN="$CACHE/llama-server-$VERSION/bin/llama-server"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$CACHE"
LOG="$CACHE/build-llama-server-$VERSION.log"
: >"$LOG"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PY="${PYTHON:-python3}"

status() {  # one line, rewritten in place on a terminal
  if [ -t 2 ]; then printf '\r\033[Kllama-server: %s' "$1" >&2; else printf 'llama-server: %s\n' "$1" >&2; fi
}

failed() {
  [ -t 2 ] && printf '\n' >&2
  echo "llama-server: $1 failed; last lines of the build log:" >&2
  tail -n 25 "$LOG" >&2 || true
  echo "llama-server: full build log: $LOG" >&2
  exit 1
}

run_logged() {  # run "$@" with its output appended to the log; progress from ninja/make lines
  local what="$1"; shift
  echo "+ $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 &
  local pid=$! last=""
  while kill -0 "$pid" 2>/dev/null; do
    if [ -t 2 ]; then
      local step
      step="$(tail -c 4000 "$LOG" | grep -oE '\[ *[0-9]+(/[0-9]+|%)\]' | tail -n 1 || true)"
      [ -n "$step" ] && [ "$step" != "$last" ] && status "$what $step" && last="$step"
    fi
    sleep 1
  done
  wait "$pid" || failed "$what"
}

status "downloading llama-cpp-python $VERSION source (log: $LOG)"
run_logged "download" "$PY" -m pip download --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$WORK"
tar -xzf "$WORK"/llama_cpp_python-"$VERSION".tar.gz -C "$WORK"
SRC="$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp"
GEN=()
command -v ninja >/dev/null 2>&1 && GEN=(-G Ninja)
status "configuring (a build takes several minutes on 2 cores; log: $LOG)"
run_logged "configure" cmake -S "$SRC" -B "$WORK/build" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF
status "compiling"
run_logged "compiling" cmake --build "$WORK/build" --target llama-server -j "$(nproc)"
mkdir -p "$(dirname "$BIN")"
cp "$WORK/build/bin/llama-server" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
status "built $BIN"
[ -t 2 ] && printf '\n' >&2
echo "$BIN"
