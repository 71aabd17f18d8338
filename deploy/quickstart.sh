#!/usr/bin/env bash
# Builds hubtable (release), creates the demo deployment in ./hubtable-demo
# (reused if present), starts the server, and walks the Riverside table
# through a meeting with the CLI: a draft checked and corrected, three
# situations submitted, the meeting opened with its agenda, check-ins (a
# guest too), one acceptance and one rejection, then the accepted situation
# through Filters 3 and 4 (sealed identifiers, agencies joining, a suggested
# and assigned lead, acknowledgement, a sealed planning note, the
# intervention, a status update) to closure and its retention date; closing
# the meeting and the minutes, and what the guest, the privacy officer and
# the administrator may see. With
# --no-wait it then stops the server and exits; otherwise it keeps serving
# until Ctrl-C.
#
#   HUBTABLE_BUILD_DIR  a configured build to use (default: build/release, made here)
#   HUBTABLE_DEMO_DIR   demo directory (default ./hubtable-demo)
#   HUBTABLE_DEMO_PORT  port for a new demo (default 7443)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

wait_mode=yes
for arg in "$@"; do
  case "$arg" in
    --no-wait) wait_mode=no ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown option $arg" >&2; exit 2 ;;
  esac
done

./deploy/install-deps.sh --no-browser-tests

# HUBTABLE_BUILD_DIR reuses a configured build (CI passes the one the tests
# ran on); by default a release build of its own.
build=${HUBTABLE_BUILD_DIR:-build/release}
if [ -z "${HUBTABLE_BUILD_DIR:-}" ]; then
  echo "== build (release)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHUBTABLE_TESTS=OFF >/dev/null
else
  echo "== build ($build)"
fi
cmake --build "$build" -j "${HUBTABLE_JOBS:-2}" --target hubtabled hubtable
case "$build" in /*) ;; *) build=$root/$build ;; esac
hubtabled=$build/server/hubtabled
hubtable=$build/client/hubtable

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

for user in rep.rps.tremblay rep.rcmh.nguyen rep.raas.cardinal rep.rdsb.martin chair.morgan \
  guest.ahmed privacy.lee admin.patel; do
  login_user "$user"
done
echo "== whoami (chair.morgan)"
"$hubtable" --profile "$demo/profiles/chair.morgan" whoami

# Runs the CLI as a demo user, echoing the command.
as() {
  local user=$1
  shift
  echo "\$ hubtable $* # as $user"
  "$hubtable" --profile "$demo/profiles/$user" "$@"
}
# Runs the CLI as a demo user where a refusal is the point (exit 1).
refused() {
  if as "$@"; then
    echo "quickstart: expected a refusal" >&2
    exit 1
  fi
}
# The situation id in `situation submit` output.
submitted_id() { sed -n 's/^Submitted \([0-9A-Z]*-[0-9A-Z]*\).*/\1/p'; }

# A meeting left open by an interrupted run is closed first.
"$hubtable" --profile "$demo/profiles/chair.morgan" meeting close >/dev/null 2>&1 || true

echo "== Filter 1: the police rep drafts a narrative and checks it"
drafts=$demo/run
cat >"$drafts/draft.txt" <<'TEXT'
Liam Tremblay, born 2009-03-14, lives at 41 Birch Crescent; his mother (306-555-0142) called us twice last week. He is 16, in Grade 11, missing school, drinking heavily and has talked about ending his life.
TEXT
refused rep.rps.tremblay deid check "$drafts/draft.txt"
cat >"$drafts/person.txt" <<'TEXT'
A 16-year-old in Grade 11 has missed most of the term, is drinking heavily and has talked about ending his life. A parent called police twice last week; he refuses to see his doctor.
TEXT
as rep.rps.tremblay deid check "$drafts/person.txt"
person=(--type PERSON --age-band 16-17 --gender M --risk-factor SUI-RISK,ALC-ABUSE,SCH-TRUANCY
        --protective-factor FAMILY_SUPPORT --attest)
echo "== Filters 1-2: the scanner refuses the first draft, the corrected one is submitted"
refused rep.rps.tremblay situation submit "${person[@]}" --narrative-file "$drafts/draft.txt"
out=$(as rep.rps.tremblay situation submit "${person[@]}" --narrative-file "$drafts/person.txt")
echo "$out"
accepted=$(submitted_id <<<"$out")
cat >"$drafts/adult.txt" <<'TEXT'
An adult in his forties with a suspected mental health problem has stopped taking his medication and was seen by neighbours shouting at passers-by; he is already in our care and his worker visits weekly.
TEXT
out=$(as rep.rcmh.nguyen situation submit --type PERSON --age-band 40-59 --gender M \
  --risk-factor MEN-SUSP,MEN-TREATMENT --narrative-file "$drafts/adult.txt" --attest)
echo "$out"
rejected=$(submitted_id <<<"$out")
cat >"$drafts/family.txt" <<'TEXT'
A family of four faces eviction at the end of the month; a parent drinks heavily, the two children have missed school and neighbours report shouting at night.
TEXT
out=$(as rep.rps.tremblay situation submit --type FAMILY --age-band UNKNOWN --gender U \
  --risk-factor HOU-EVICTION,ALC-HOME --narrative-file "$drafts/family.txt" --attest)
echo "$out"

echo "== the chair opens a meeting; the agenda is frozen"
as chair.morgan meeting open --unscheduled
for user in chair.morgan rep.rps.tremblay rep.rcmh.nguyen guest.ahmed privacy.lee; do
  as "$user" meeting checkin
done
echo "== the guest follows the agenda, and sees agenda lines only"
as guest.ahmed meeting agenda
as guest.ahmed situation show "$accepted"
echo "== Filter 2: the table decides"
as chair.morgan situation decide "$accepted" --accept
as chair.morgan situation decide "$rejected" --reject ALREADY_SERVED
echo "== Filter 3: the police rep seals the identifiers; mental health and addictions join"
# Invented person. The file exists only for this step: the vault keeps the
# only copy, sealed under the situation's own key.
cat >"$drafts/people.toml" <<'TEXT'
[[person]]
name = "Liam Tremblay"
date_of_birth = 2009-03-14
address = "41 Birch Crescent, Riverside"
aliases = ["Li"]
TEXT
as rep.rps.tremblay situation identify "$accepted" --people-file "$drafts/people.toml" \
  --authority ON-MFIPPA-32-H
rm -f "$drafts/people.toml"
as rep.rcmh.nguyen situation join "$accepted"
as rep.raas.cardinal situation join "$accepted"
as rep.rcmh.nguyen situation reveal "$accepted"
refused chair.morgan situation reveal "$accepted"
refused rep.rdsb.martin situation reveal "$accepted"
echo "== break-glass: the privacy officer sees identifiers only with a written reason"
refused privacy.lee situation reveal "$accepted"
cat >"$drafts/why.txt" <<'TEXT'
Complaint 2026-114: the person asks which agencies received their identifiers.
TEXT
as privacy.lee situation reveal "$accepted" --break-glass-file "$drafts/why.txt"
rm -f "$drafts/why.txt"
echo "== the chair names the lead among the joined agencies, the server's ranking in hand"
as chair.morgan situation assign "$accepted" --suggest
as chair.morgan situation assign "$accepted" --lead rcmh --assisting rps,raas
as chair.morgan meeting close
echo "== Filter 4: the lead acknowledges, plans (sealed) and records the door knock"
as rep.rcmh.nguyen situation ack "$accepted"
cat >"$drafts/plan.txt" <<'TEXT'
Door knock at 16:00 with the police youth officer; bring the addictions counsellor's card.
TEXT
as rep.rcmh.nguyen situation plan "$accepted" --note-file "$drafts/plan.txt"
as rep.raas.cardinal situation plan "$accepted"
refused chair.morgan situation plan "$accepted"
as rep.rcmh.nguyen situation intervene "$accepted" --at now --agency rps,raas --outcome CONSENTED
echo "== follow-up: a de-identified status update, then the chair closes"
cat >"$drafts/update.txt" <<'TEXT'
The youth accepted counselling and attends weekly; school attendance is improving.
TEXT
as rep.rcmh.nguyen situation update "$accepted" --text-file "$drafts/update.txt"
as chair.morgan situation close "$accepted" --reason LOWERED_CONNECTED \
  --service MENTAL_HEALTH,ADDICTIONS --protective-factor FAMILY_SUPPORT
refused rep.rcmh.nguyen situation reveal "$accepted"
echo "== retention: the identifiers are crypto-shredded 30 days after closure"
"$hubtabled" purge --config "$demo/hubtabled.toml" --dry-run
echo "== the minutes (de-identified)"
as rep.rcmh.nguyen meeting minutes
echo "== what the privacy officer and the administrator see"
as privacy.lee situation show "$accepted"
refused admin.patel situation show "$accepted"
echo "== the privacy officer keeps a signed checkpoint and verifies the whole audit log"
as privacy.lee audit checkpoint --save "$demo/privacy.lee-checkpoint.txt"
as privacy.lee audit verify --since "$demo/privacy.lee-checkpoint.txt"
refused rep.rps.tremblay audit verify
"$hubtabled" verify-audit --config "$demo/hubtabled.toml" --since "$demo/privacy.lee-checkpoint.txt"
echo "== alerts: the privacy officer reads why the glass was broken; the chair only that it was"
as privacy.lee audit alerts
as chair.morgan audit alerts --kind break_glass
as rep.rcmh.nguyen situation show "$rejected"
as rep.rps.tremblay meeting list --upcoming 2 --past 1
echo "== reports: the chair's summary, the open-data version, the provincial export"
as chair.morgan report summary
as chair.morgan report public
as privacy.lee report export --format rtd-csv
refused rep.rps.tremblay report summary
as chair.morgan report summary --format html --out "$demo/riverside-report.html"
echo "The demo table's report (open it in a browser): $demo/riverside-report.html"
echo "== the browser front end, on the same port and the same certificates"
chair_profile="$demo/profiles/chair.morgan"
echo "Import $chair_profile/client.p12 (passphrase: $chair_profile/client.p12-passphrase)"
echo "and trust $chair_profile/ca.crt, as $chair_profile/browser-setup.html says; then open"
echo "  https://$(sed -n 's/^server = "\(.*\)"$/\1/p' "$chair_profile/profile.toml")/"
echo "and log in as chair.morgan with the password in $demo/secrets/chair.morgan.password"
echo "(the authenticator is enrolled from the QR code on that setup page)."

if [ "$wait_mode" = no ]; then
  echo "== stopping (--no-wait)"
  exit 0
fi
echo "== serving; profiles are in $demo/profiles. Press Ctrl-C to stop."
wait "$server"
