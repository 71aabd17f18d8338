#!/usr/bin/env bash
# Installs what is missing, builds with AddressSanitizer + UBSan, runs every
# test (unit, integration, fuzz-replay), checks clang-format and clang-tidy
# (HUBTABLE_SKIP_LINT=1 skips that), then a short libFuzzer run when clang is
# present. Exits non-zero on any failure. This is the README's test command
# and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh

build=${HUBTABLE_BUILD_DIR:-build/dev}
jobs=${HUBTABLE_JOBS:-2}
# ccache: another clone of the same sources (a CI checkout in a new
# directory) reuses the objects compiled for this one.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

echo "== configure ($build, ASan + UBSan)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHUBTABLE_SANITIZE=ON >/dev/null
echo "== build"
time cmake --build "$build" -j "$jobs"

echo "== test"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$build" && time ctest --output-on-failure -j "$jobs" --timeout 600)

if [ "${HUBTABLE_SKIP_LINT:-0}" != 1 ]; then
  ./deploy/lint.sh "$build"
fi

if command -v clang++-14 >/dev/null 2>&1; then
  seconds=${HUBTABLE_FUZZ_SECONDS:-30}
  echo "== fuzz (libFuzzer, ${seconds}s)"
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUBTABLE_FUZZ=ON -DHUBTABLE_TESTS=OFF >/dev/null
  cmake --build build/fuzz -j "$jobs" --target fuzz_frame_envelope
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
  cp tests/fuzz/corpus/frame_envelope/* "$corpus"/
  build/fuzz/tests/fuzz/fuzz_frame_envelope -max_total_time="$seconds" -print_final_stats=1 \
    "$corpus" 2>&1 | tail -n 3
fi
echo "== all tests passed"
