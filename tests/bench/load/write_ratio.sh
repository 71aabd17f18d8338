#!/usr/bin/env bash
# Issue 20's first figure: audited write throughput (submissions, each its
# own audited transaction) at 1, 8 and 64 connections, as a ratio of the raw
# SQLCipher commit rate measured in the same run by `anchors`. Three runs of
# each, alternated; medians with the spread. The per-connection rate limit
# (50 requests/s by default) is raised: the run measures the server, not it.
# Each connection is a rep of its own with a request always outstanding: the
# server runs one request of a principal at a time (its lane), so N
# connections of fewer reps would put fewer than N requests before it.
#
#   tests/bench/load/write_ratio.sh build/release [seconds] [out-dir]
#
# SERVERS="name=/path/to/hubtabled ..." compares several server builds in the
# same run (each round runs the anchor, then every server in turn); by
# default, this build's. A name may instead be given a build directory: its
# own server and load generator then run, for a build whose schema differs
# (the load generator provisions the deployment it starts the server on).
# MIX="kind=weight,..." sends other requests than submissions (the load
# generator's --mix): checkin=1 for the least an audited write is (a check-in
# already made: its audit event alone), reveal=1 for a disclosure.
set -euo pipefail
build=${1:?usage: write_ratio.sh BUILD_DIR [SECONDS] [OUT_DIR]}
seconds=${2:-20}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
bench=$build/tests/bench/load
servers=${SERVERS:-this=$build/server/hubtabled}
mix=${MIX:-submit=1}
for i in 1 2 3; do
  "$bench/anchors" --seconds "$seconds" --threads 1 --json "$out/anchors.$i.json" 2>> "$out/log"
  for server in $servers; do
    name=${server%%=*}
    binary=${server#*=}
    load=$bench/load
    if [[ -d $binary ]]; then
      load=$binary/tests/bench/load/load
      binary=$binary/server/hubtabled
    fi
    for n in 1 8 64; do
      threads=$(( n < 16 ? n : 16 ))
      users=$(( n < 2 ? 2 : n ))  # the load generator logs in two at least
      HUBTABLE_TEST_HUBTABLED=$binary "$load" --connections "$n" --threads "$threads" \
        --in-flight $(( n / threads )) --users "$users" --mix "$mix" --per-connection-rate 100000 \
        --seconds "$seconds" --warmup 3 --warmup-connections "$n" --settle 0 \
        --json "$out/$name.$n.$i.json" 2>> "$out/log"
    done
  done
done
python3 - "$out" "$mix" $servers <<'PY'
import json, statistics, sys
out, mix, servers = sys.argv[1], sys.argv[2], [s.split("=", 1)[0] for s in sys.argv[3:]]
def med(xs):
    return f"{statistics.median(xs):,.0f} ({min(xs):,.0f}-{max(xs):,.0f})"
raw = [json.load(open(f"{out}/anchors.{i}.json"))["raw_commits"][0]["commits_per_second"] for i in (1, 2, 3)]
print(f"raw SQLCipher single-row commits/s: {med(raw)}")
print(f"| server | connections | requests/s ({mix}) | ratio to raw commits | p99 (ms) | per server CPU-second |")
print("|---|---|---|---|---|---|")
for name in servers:
    for n in (1, 8, 64):
        runs = [json.load(open(f"{out}/{name}.{n}.{i}.json")) for i in (1, 2, 3)]
        errors = sum(int(r["errors"]) for r in runs)
        tput = [float(r["throughput"]) for r in runs]
        ratio = [t / r for t, r in zip(tput, raw)]
        p99 = [float(r["all"]["p99_ms"]) for r in runs]
        cpu = [float(r["requests_per_server_cpu_second"]) for r in runs]
        print(f"| {name} | {n} | {med(tput)} | {statistics.median(ratio):.2f} "
              f"({min(ratio):.2f}-{max(ratio):.2f}) | {statistics.median(p99):.1f} | {med(cpu)} |"
              + (f" {errors} errors" if errors else ""))
PY
echo "reports in $out"
