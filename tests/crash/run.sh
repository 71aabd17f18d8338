#!/usr/bin/env bash
# Long kill -9 runs for docs/RELIABILITY.md:
#   tests/crash/run.sh [CYCLES] [BUILD_DIR]
# The summary (JSON) goes to BUILD_DIR/crash-report.json; HUBTABLE_CRASH_SEED
# replays a run whose seed a failure printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:-1000}
build=${2:-build/dev}
export HUBTABLE_CRASH_CYCLES=$cycles
export HUBTABLE_CRASH_REPORT=${HUBTABLE_CRASH_REPORT:-$PWD/$build/crash-report.json}
"$build/tests/crash/crash_test" --gtest_brief=1
cat "$HUBTABLE_CRASH_REPORT"
