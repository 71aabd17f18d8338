#!/usr/bin/env bash
# Installs the Debian 12 packages that hubtable's build, tests and tools need.
# Only missing packages are installed; run as root or with sudo available.
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
  # run time: IANA time zones for table schedules (absl::TimeZone reads them)
  tzdata
  # provisioning for browsers: the authenticator's QR code on browser-setup.html
  libqrencode-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl python3
  # the HTML report is rendered in headless Chromium by a test
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
