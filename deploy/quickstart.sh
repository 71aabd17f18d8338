#!/usr/bin/env bash
# Builds hubtable (release), creates the demo deployment in ./hubtable-demo
# (reused if present), starts the server, logs in two demo users and prints
# `whoami` for each. With --no-wait it then stops the server and exits;
# otherwise it keeps serving until Ctrl-C.
#
#   HUBTABLE_DEMO_DIR   demo directory (default ./hubtable-demo)
#   HUBTABLE_DEMO_PORT  port for a new demo (default 7443)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

wait_mode=yes
for arg in "$@"; do
  case "$arg" in
    --no-wait) wait_mode=no ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown option $arg" >&2; exit 2 ;;
  esac
done

./deploy/install-deps.sh

echo "== build (release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHUBTABLE_TESTS=OFF >/dev/null
cmake --build build/release -j "${HUBTABLE_JOBS:-2}" --target hubtabled hubtable
hubtabled=$root/build/release/server/hubtabled
hubtable=$root/build/release/client/hubtable

demo=${HUBTABLE_DEMO_DIR:-$root/hubtable-demo}
if [ ! -f "$demo/hubtabled.toml" ]; then
  echo "== init $demo"
  "$hubtabled" init --dir "$demo" --listen "127.0.0.1:${HUBTABLE_DEMO_PORT:-7443}"
fi
echo "== apply deploy/demo/table.toml"
"$hubtabled" apply --config "$demo/hubtabled.toml" deploy/demo/table.toml \
  --profiles-out "$demo/profiles"

mkdir -p "$demo/run" "$demo/secrets"
chmod 700 "$demo/run" "$demo/secrets"
rm -f "$demo/run/port"
"$hubtabled" serve --config "$demo/hubtabled.toml" --port-file "$demo/run/port" \
  2>>"$demo/hubtabled.log" &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap stop_server EXIT INT TERM

for _ in $(seq 1 300); do
  [ -f "$demo/run/port" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "quickstart: hubtabled did not start; see $demo/hubtabled.log" >&2
    tail -n 3 "$demo/hubtabled.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -f "$demo/run/port" ] || { echo "quickstart: hubtabled did not start in time" >&2; exit 1; }
echo "== hubtabled serving on 127.0.0.1:$(cat "$demo/run/port") (log: $demo/hubtabled.log)"

# Logs a demo user in: the first time, the one-time password is replaced by
# a random one kept in $demo/secrets (demo only: real users choose their own).
login_user() {
  local user=$1 profile=$demo/profiles/$1
  if "$hubtable" --profile "$profile" whoami >/dev/null 2>&1; then
    return 0  # still logged in from an earlier run
  fi
  local pwfile=$demo/secrets/$user.password args=()
  local fresh=""
  if [ -f "$pwfile" ]; then
    args=(--password-file "$pwfile")
  else
    fresh=$(mktemp "$demo/secrets/.new.XXXXXX")
    head -c 18 /dev/urandom | base64 >"$fresh"
    args=(--password-file "$profile/one-time-password" --new-password-file "$fresh")
  fi
  if [ -f "$profile/totp-uri" ]; then
    # The authenticator app's job, done here by oathtool.
    local secret
    secret=$(sed -E 's/.*secret=([A-Z2-7]+).*/\1/' "$profile/totp-uri")
    oathtool --totp -b "$secret" >"$demo/secrets/$user.totp"
    args+=(--totp-file "$demo/secrets/$user.totp")
  fi
  "$hubtable" --profile "$profile" login "${args[@]}"
  if [ -n "$fresh" ]; then mv "$fresh" "$pwfile"; fi
}

for user in rep.rps.tremblay chair.morgan; do
  echo "== $user"
  login_user "$user"
  "$hubtable" --profile "$demo/profiles/$user" whoami
done

if [ "$wait_mode" = no ]; then
  echo "== stopping (--no-wait)"
  exit 0
fi
echo "== serving; profiles are in $demo/profiles. Press Ctrl-C to stop."
wait "$server"
