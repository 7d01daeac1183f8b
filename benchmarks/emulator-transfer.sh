#!/usr/bin/env bash
# Benchmark (not a test): a large upload and download through `bbx serve` with curl, on loopback.
# Reports wall time and throughput of each transfer and the emulator's peak memory (VmHWM).
#
#   benchmarks/emulator-transfer.sh            # 1 GiB
#   SIZE_MIB=256 benchmarks/emulator-transfer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}

swift build -c release --product bbx >/dev/null 2>&1
BBX=$(swift build -c release --show-bin-path)/bbx

source benchmarks/lib.sh
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
echo "emulator idle: $(rss) MiB resident"

now() { date +%s.%N; }
start=$(now)
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer bench-token" -F "files=@$work/big.bin" "$url")
upload=$(echo "$(now) - $start" | bc)
[ "$status" = 201 ] || { echo "upload failed: $status"; exit 1; }

start=$(now)
curl -sS -L -o "$work/copy.bin" -H "Authorization: Bearer bench-token" "$url/big.bin"
download=$(echo "$(now) - $start" | bc)
cmp -s "$work/big.bin" "$work/copy.bin" || { echo "downloaded bytes differ"; exit 1; }

peak=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status")
printf 'size            %d MiB\n' "$SIZE_MIB"
printf 'upload (curl)   %.2f s  %.0f MiB/s\n' "$upload" "$(echo "$SIZE_MIB / $upload" | bc -l)"
printf 'download (curl) %.2f s  %.0f MiB/s\n' "$download" "$(echo "$SIZE_MIB / $download" | bc -l)"
printf 'emulator peak   %d MiB resident\n' "$peak"
