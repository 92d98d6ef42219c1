#!/usr/bin/env bash
# Installs the Debian 12 packages iomhub needs to build, test and run.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ccache pkg-config git openssl curl
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev tzdata
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev
  clang libclang-rt-14-dev
  libjs-chart.js
)
# The dashboard's real-browser test (tests/browser/): headless Chromium
# driven through Selenium. IOMHUB_DEPS_NO_BROWSER=1 leaves them out (a
# container's build stage does not run that test).
if [ "${IOMHUB_DEPS_NO_BROWSER:-0}" != "1" ]; then
  PACKAGES+=(chromium chromium-driver python3-selenium)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
