#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the project's C++ sources.
# Needs a configured build directory for compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${HUBTABLE_BUILD_DIR:-build/dev}}

mapfile -t files < <(git ls-files '*.cpp' '*.h')
echo "== clang-format (${#files[@]} files)"
clang-format --dry-run -Werror "${files[@]}"

echo "== clang-tidy"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! run-clang-tidy -quiet -j "${HUBTABLE_JOBS:-2}" -p "$build" \
    "^$PWD/(server|client|crypto|proto/wire|tests)/" >"$out" 2>&1; then
  grep -E "(warning|error):" "$out" | sort -u | head -n 50
  echo "lint: clang-tidy found problems" >&2
  exit 1
fi
echo "clang-tidy: clean"
