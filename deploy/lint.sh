#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the project's C++ sources.
# Needs a configured build directory for compile_commands.json.
# HUBTABLE_TIDY_CACHE: where passing units are remembered
# (default ~/.cache/hubtable/clang-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${HUBTABLE_BUILD_DIR:-build/dev}}

mapfile -t files < <(git ls-files '*.cpp' '*.h')
echo "== clang-format (${#files[@]} files)"
clang-format --dry-run -Werror "${files[@]}"

echo "== clang-tidy"
# Units that passed unchanged (same preprocessed source, same config) are
# not checked again; see deploy/clang-tidy-cached.py.
python3 deploy/clang-tidy-cached.py "$build" "^$PWD/(server|client|crypto|proto/wire|tests)/" \
  "${HUBTABLE_JOBS:-2}"
