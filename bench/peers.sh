#!/usr/bin/env bash
# Opt-in: iomhub's appends beside its peers on this machine, in one run —
# Redis Streams XADD with appendfsync always (50 clients; pipelined 16),
# unary Append and AppendStream, and
# the no-op unary gRPC ceiling on the same hub — three interleaved
# repetitions, each printing the ratio iomhub / peer (bench/run.sh,
# section 8). Installs redis-server and redis-tools from Debian when
# missing (as root). Not part of `make test`.
#   bash bench/peers.sh [BUILD_DIR]     (default build-release; `make bench-peers`)
set -euo pipefail
BUILD_DIR="${1:-build-release}"
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    redis-server redis-tools >/dev/null
  # The packaged service is not wanted: run.sh starts its own, on a free port.
  systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
ONLY=redis exec bash "$(dirname "$0")/run.sh" "$BUILD_DIR" "${@:2}"
