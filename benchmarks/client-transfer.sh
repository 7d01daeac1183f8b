#!/usr/bin/env bash
# Benchmark (not a test): bbx's API client against curl, on the same `bbx serve`, in one run.
# A large upload and download each way; wall time and peak resident memory (/usr/bin/time -v)
# of every transfer. Both sides stream the same file through the same emulator, which is
# restarted for nobody: the order alternates curl and the client so neither gets a warmer cache.
#
#   benchmarks/client-transfer.sh            # 1 GiB, 3 rounds
#   SIZE_MIB=256 ROUNDS=5 benchmarks/client-transfer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}

swift build -c release --product bbx >/dev/null 2>&1
swift build -c release --product bbx-bench-transfer >/dev/null 2>&1
BIN=$(swift build -c release --show-bin-path)

BBX="$BIN/bbx"
source benchmarks/lib.sh
export BITBUCKET_URL="$api" BITBUCKET_TOKEN=bench-token BBX_BENCH_REPO=bench/app

# Runs a command under /usr/bin/time -v; prints "SECONDS PEAK_MIB".
measure() {
    /usr/bin/time -v -o "$work/time" "$@" > /dev/null
    local wall peak
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    peak=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$work/time")
    echo "$wall $peak"
}

results=()
record() {
    results+=("$(printf '%-9s %-6s %8.2f s %6.0f MiB/s %5d MiB' "$1" "$2" "$3" "$(echo "$SIZE_MIB / $3" | bc -l)" "$4")")
    echo "$1 $2 $3 $4" >> "$work/raw"
}

# Before each transfer the previous copy is removed and dirty pages are flushed (sync): a
# download that follows another 1 GiB of unwritten page cache runs into the kernel's writeback
# throttling and would be measured slower for reasons of its position, not its code.
for _ in $(seq 1 "$ROUNDS"); do
    sync
    read -r t m < <(measure curl -sS -f -o /dev/null -H "Authorization: Bearer bench-token" -F "files=@$work/big.bin" "$url")
    record "upload" "curl" "$t" "$m"
    sync
    read -r t m < <(measure "$BIN/bbx-bench-transfer" upload "$work/big.bin" big.bin)
    record "upload" "bbx" "$t" "$m"
    sync
    read -r t m < <(measure curl -sS -f -L -o "$work/copy.bin" -H "Authorization: Bearer bench-token" "$url/big.bin")
    record "download" "curl" "$t" "$m"
    cmp -s "$work/big.bin" "$work/copy.bin" || { echo "curl's download differs"; exit 1; }
    rm -f "$work/copy.bin"
    sync
    read -r t m < <(measure "$BIN/bbx-bench-transfer" download big.bin "$work/copy.bin")
    record "download" "bbx" "$t" "$m"
    cmp -s "$work/big.bin" "$work/copy.bin" || { echo "bbx's download differs"; exit 1; }
    rm -f "$work/copy.bin"
done

printf 'size %d MiB, loopback, bbx serve release build\n' "$SIZE_MIB"
printf '%-9s %-6s %10s %12s %9s\n' transfer client wall throughput peak
printf '%s\n' "${results[@]}"

# The median of each transfer's rounds, and bbx's time relative to curl's.
median() { grep "^$1 $2 " "$work/raw" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
printf 'median of %d rounds\n' "$ROUNDS"
for transfer in upload download; do
    c=$(median "$transfer" curl)
    b=$(median "$transfer" bbx)
    printf '%-9s curl %.2f s, bbx %.2f s: %.2fx\n' "$transfer" "$c" "$b" "$(echo "$b / $c" | bc -l)"
done
