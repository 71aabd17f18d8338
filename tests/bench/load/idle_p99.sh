#!/usr/bin/env bash
# Issue 20's third figure: the p99 of an audited read (show) from one client
# alone, and from one client among 2,000 idle connections, three runs of
# each, alternated; and what each idle connection costs the server (its RSS
# with the crowd open, less its RSS before, over the crowd). Open loop at a
# rep's pace under the server's default per-connection limit (40 requests/s),
# each latency counted from when the request was due.
#
#   tests/bench/load/idle_p99.sh build/release [seconds] [out-dir]
set -euo pipefail
build=${1:?usage: idle_p99.sh BUILD_DIR [SECONDS] [OUT_DIR]}
seconds=${2:-60}
out=${3:-$(mktemp -d)}
idle=${IDLE:-2000}
mkdir -p "$out"
load=$build/tests/bench/load/load
export HUBTABLE_TEST_HUBTABLED=${HUBTABLE_TEST_HUBTABLED:-$build/server/hubtabled}
for i in 1 2 3; do
  for crowd in 0 "$idle"; do
    "$load" --connections $((crowd + 1)) --active 1 --threads 1 --rate 40 --mix show=1 \
      --seconds "$seconds" --warmup 5 --warmup-connections 1 --settle 0 \
      --json "$out/idle$crowd.$i.json" 2>> "$out/log"
  done
done
python3 - "$out" "$idle" <<'PY'
import json, statistics, sys
out, idle = sys.argv[1], int(sys.argv[2])
def med(xs, f="{:,.2f}"):
    return f"{f.format(statistics.median(xs))} ({f.format(min(xs))}-{f.format(max(xs))})"
runs = {c: [json.load(open(f"{out}/idle{c}.{i}.json")) for i in (1, 2, 3)] for c in (0, idle)}
p99 = {c: [r["all"]["p99_ms"] for r in rs] for c, rs in runs.items()}
p50 = {c: [r["all"]["p50_ms"] for r in rs] for c, rs in runs.items()}
print("| one client | p50 (ms) | p99 (ms) | requests | errors |")
print("|---|---|---|---|---|")
for c, rs in runs.items():
    label = "alone" if c == 0 else f"among {c:,} idle connections"
    print(f"| {label} | {med(p50[c])} | {med(p99[c])} | {sum(int(r['requests']) for r in rs):,} |"
          f" {sum(int(r['errors']) for r in rs)} |")
print(f"\np99 among the idle over p99 alone (medians): "
      f"{statistics.median(p99[idle]) / statistics.median(p99[0]):.2f}")
per = [(int(r["round_results"][0]["rss_kib_open"]) - int(r["rss_kib_start"])) * 1024 / idle
       for r in runs[idle]]
print(f"server memory per idle connection: {med([p / 1024 for p in per])} KiB")
PY
