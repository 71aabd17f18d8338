#!/usr/bin/env bash
# Installs the Debian 12 packages that hubtable's build, tests and tools need.
# Only missing packages are installed; run as root or with sudo available.
# Then what the browser tests need (Node.js, the npm packages pinned in
# tests/browser/package-lock.json, a Chromium policy), unless
# --no-browser-tests is given (the quickstart does).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  clang-14 libclang-rt-14-dev clang-format clang-tidy
  # libraries
  libboost-dev libssl-dev libsqlcipher-dev sqlcipher
  libprotobuf-dev protobuf-compiler
  libsodium-dev liboath-dev libabsl-dev oathtool
  libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev
  # the de-identification scanner: linear-time regular expressions, NFKC
  libre2-dev libutf8proc-dev
  # the service: sd_notify readiness and watchdog; man pages from --help;
  # systemd-analyze (the unit's exposure is measured by a test)
  libsystemd-dev help2man systemd
  # run time: IANA time zones for table schedules (absl::TimeZone reads them)
  tzdata
  # provisioning for browsers: the authenticator's QR code on browser-setup.html
  libqrencode-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the benchmarks' gRPC peer (tests/bench/peer), never linked by the product
  libgrpc++-dev protobuf-compiler-grpc
  openssl python3
  # the HTML report is rendered in headless Chromium by a test; the browser
  # tests give Chromium a client certificate through an NSS database
  chromium libnss3-tools
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--no-browser-tests" ]; then
  exit 0
fi

# The browser tests (tests/browser): Node.js (the machine's, or Debian's),
# puppeteer-core and axe-core at the versions pinned in package-lock.json.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: installing nodejs npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
browser_tests=$(cd "$(dirname "$0")/../tests/browser" && pwd)
if ! cmp -s "$browser_tests/package-lock.json" "$browser_tests/node_modules/.hubtable-lock"; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.hubtable-lock)
fi

# Chromium picks the test user's certificate by itself for https://127.0.0.1
# when its issuer's organisation is "hubtable" (every deployment's CA is);
# without this policy a headless Chromium presents no certificate.
policy=/etc/chromium/policies/managed/hubtable-tests.json
if [ ! -f "$policy" ]; then
  echo "install-deps: writing $policy"
  $SUDO mkdir -p "$(dirname "$policy")"
  printf '%s\n' '{' \
    '  "AutoSelectCertificateForUrls": [' \
    '    "{\"pattern\":\"https://127.0.0.1:*\",\"filter\":{\"ISSUER\":{\"O\":\"hubtable\"}}}"' \
    '  ]' '}' | $SUDO tee "$policy" >/dev/null
fi
