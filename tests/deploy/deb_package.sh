#!/usr/bin/env bash
# The .deb, built from this build tree by CPack, installed into a scratch
# root (dpkg-deb -x): the files land where the unit and the README say, the
# maintainer scripts create the hubtable user and /var/lib/hubtable, and the
# installed binaries init a deployment, report its status, serve it and say
# so. Usage: deb_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
out=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$out/pkg" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack"; }
deb=$(ls "$out"/pkg/hubtable_*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
info=$(dpkg-deb --info "$deb")
grep -q "^ Package: hubtable$" <<<"$info" || fail "package name"
grep -q "^ Depends:.*adduser" <<<"$info" || fail "Depends lacks adduser: $info"
grep -q "^ Depends:.*libsqlcipher" <<<"$info" || fail "Depends lacks the shared libraries: $info"

root="$out/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/hubtabled usr/bin/hubtable usr/lib/systemd/system/hubtabled.service \
  usr/share/man/man8/hubtabled.8 usr/share/man/man1/hubtable.1 \
  usr/share/doc/hubtable/examples/hubtabled.example.toml \
  usr/share/doc/hubtable/examples/table.toml; do
  [ -f "$root/$f" ] || fail "the package lacks /$f"
done
cmp -s "$root/usr/lib/systemd/system/hubtabled.service" "$src/deploy/hubtabled.service" ||
  fail "the packaged unit is not deploy/hubtabled.service"
grep -q "^ExecStart=/usr/bin/hubtabled serve" "$root/usr/lib/systemd/system/hubtabled.service" ||
  fail "the unit does not start the packaged binary"
grep -q "backup" "$root/usr/share/man/man8/hubtabled.8" || fail "the man page lacks the commands"

dpkg-deb -e "$deb" "$out/control"
for script in postinst prerm postrm; do
  [ -x "$out/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$out/control/$script" || fail "$script does not parse"
done
grep -q "adduser --system" "$out/control/postinst" || fail "postinst does not create the user"
grep -q "chmod 0700" "$out/control/postinst" || fail "postinst does not make /var/lib/hubtable 0700"

# The installed binaries, from the installed paths.
bin="$root/usr/bin"
"$bin/hubtabled" --version | grep -q "^hubtabled " || fail "hubtabled --version"
"$bin/hubtable" --version | grep -q "^hubtable " || fail "hubtable --version"
dep="$root/var/lib/hubtable"
"$bin/hubtabled" init --dir "$dep" --listen 127.0.0.1:0 >/dev/null || fail "init"
"$bin/hubtabled" apply --config "$dep/hubtabled.toml" \
  "$root/usr/share/doc/hubtable/examples/table.toml" >/dev/null || fail "apply"
set +e
status=$("$bin/hubtabled" status --config "$dep/hubtabled.toml")
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "status of a stopped server exits $rc, not 3"
grep -q "^server: *not running" <<<"$status" || fail "status: $status"
grep -q "^audit log: *[1-9][0-9]* events" <<<"$status" || fail "status: $status"

"$bin/hubtabled" serve --config "$dep/hubtabled.toml" --port-file "$out/port" 2>"$out/serve.log" &
server_pid=$!
for _ in $(seq 1 600); do
  [ -s "$out/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.log"; fail "serve exited"; }
  sleep 0.1
done
[ -s "$out/port" ] || fail "serve did not start"
status=$("$bin/hubtabled" status --config "$dep/hubtabled.toml") || fail "status of a running server"
grep -q "^server: *running" <<<"$status" || fail "status: $status"
kill -TERM "$server_pid"
wait "$server_pid" || fail "serve did not stop cleanly"
server_pid=""
echo "installed, initialised, served and reported from $root"
