#!/usr/bin/env bash
# The load generator still runs: a few seconds of the default mix on a few
# connections in two rounds, every request answered OK, the report complete.
# The per-connection rate limit is raised out of the way: a closed loop on a
# fast machine goes past 50 requests a second a connection even against the
# sanitized server, and the smoke is of the generator, not of the limit
# (tests/integration/limits_test.cpp and abuse_test.cpp cover that).
set -euo pipefail
load=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$load" --connections 12 --threads 3 --users 4 --seconds 4 --rounds 2 --sample-every 1 \
  --settle 0 --per-connection-rate 100000 --json "$out/report.json" 2> "$out/stderr" || { cat "$out/stderr"; exit 1; }
python3 - "$out/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
problems = []
if int(r["requests"]) == 0: problems.append("no request answered")
if int(r["errors"]) != 0: problems.append(f"{r['errors']} errors: {r['error_kinds']}")
kinds = {k["kind"] for k in r["kinds"]}
for k in ("checkin", "submit", "show", "agenda", "list", "reveal"):
    if k not in kinds: problems.append(f"no {k} request was made")
if len(r["round_results"]) != 2: problems.append("not two rounds")
for rd in r["round_results"]:
    if int(rd["fds_closed"]) > int(r["fds_start"]) + 4:
        problems.append(f"round {rd['number']}: the server kept descriptors")
if not r["samples"] or int(r["samples"][0]["rss_kib"]) == 0: problems.append("no sample of the server")
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"{r['requests']} requests, p99 {r['all']['p99_ms']:.1f} ms")
PY
