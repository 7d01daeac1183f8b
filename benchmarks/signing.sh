#!/usr/bin/env bash
# Benchmark (not a test): what a signed manifest costs. BLAKE2b-512 throughput, and the time to
# sign and to verify manifests of 10, 1,000 and 60,000 entries (each entry with its stamp line),
# best of 20, in a release build of the Minisign target.
#
#   benchmarks/signing.sh
#   BLAKE2B_MIB=64 benchmarks/signing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --scratch-path .build-bench --product bbx-bench-signing >/dev/null
"$(swift build -c release --scratch-path .build-bench --show-bin-path)/bbx-bench-signing"
