#!/usr/bin/env bash
# Issue 20's first figure: audited write throughput (submissions, each its
# own audited transaction) at 1, 8 and 64 connections, as a ratio of the raw
# SQLCipher commit rate measured in the same run by `anchors`. Three runs of
# each, alternated; medians with the spread. The per-connection rate limit
# (50 requests/s by default) is raised: the run measures the server, not it.
#
#   tests/bench/load/write_ratio.sh build/release [seconds] [out-dir]
#
# HUBTABLE_TEST_HUBTABLED picks another server build, as for `load`.
set -euo pipefail
build=${1:?usage: write_ratio.sh BUILD_DIR [SECONDS] [OUT_DIR]}
seconds=${2:-20}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
bench=$build/tests/bench/load
for i in 1 2 3; do
  "$bench/anchors" --seconds "$seconds" --threads 1 --json "$out/anchors.$i.json" 2>> "$out/log"
  for n in 1 8 64; do
    threads=$(( n < 16 ? n : 16 ))
    "$bench/load" --connections "$n" --threads "$threads" --users 16 --mix submit=1 \
      --per-connection-rate 100000 \
      --seconds "$seconds" --warmup 3 --warmup-connections "$n" --settle 0 \
      --json "$out/submit.$n.$i.json" 2>> "$out/log"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def med(xs):
    return f"{statistics.median(xs):,.0f} ({min(xs):,.0f}-{max(xs):,.0f})"
raw = [json.load(open(f"{out}/anchors.{i}.json"))["raw_commits"][0]["commits_per_second"] for i in (1, 2, 3)]
print(f"raw SQLCipher single-row commits/s: {med(raw)}")
print("| connections | submissions/s | ratio to raw commits | p99 (ms) | per server CPU-second |")
print("|---|---|---|---|---|")
for n in (1, 8, 64):
    runs = [json.load(open(f"{out}/submit.{n}.{i}.json")) for i in (1, 2, 3)]
    errors = sum(int(r["errors"]) for r in runs)
    tput = [float(r["throughput"]) for r in runs]
    ratio = [t / r for t, r in zip(tput, raw)]
    p99 = [float(r["all"]["p99_ms"]) for r in runs]
    cpu = [float(r["requests_per_server_cpu_second"]) for r in runs]
    print(f"| {n} | {med(tput)} | {statistics.median(ratio):.2f} ({min(ratio):.2f}-{max(ratio):.2f}) "
          f"| {statistics.median(p99):.1f} | {med(cpu)} |" + (f" {errors} errors" if errors else ""))
PY
echo "reports in $out"
