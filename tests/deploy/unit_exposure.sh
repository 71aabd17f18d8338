#!/usr/bin/env bash
# The systemd unit's exposure as `systemd-analyze security` measures it
# offline (0.0 best .. 10.0 worst); fails above the limit given.
# Usage: unit_exposure.sh UNIT_FILE MAX
set -euo pipefail
unit="$1"
max="$2"
report=$(systemd-analyze security --offline=yes --no-pager "$unit")
line=$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' <<<"$report")
echo "$line"
exposure=${line##* }
if awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e > m) }'; then
  echo "exposure $exposure is above $max; what is still exposed:"
  grep '✗' <<<"$report" || true
  exit 1
fi
