#!/usr/bin/env bash
# Issue 15's `--jobs` target, taken apart: FILES small uploads, one file per request, `bbx run
# --jobs 1` against `--jobs 8`, with the CPU time each side spent (bbx from time(1), the
# emulator from /proc), then the same with a delay of LATENCY_MS on every upload's answer (an
# emulator fault), standing in for the round trip of a real network. Medians of ROUNDS.
# Results: benchmarks/README.md.
#   TMPDIR=/dev/shm benchmarks/concurrent-uploads.sh
#   FILES=300 LATENCY_MS=5 ROUNDS=5 benchmarks/concurrent-uploads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-300}
LATENCY_MS=${LATENCY_MS:-5}
ROUNDS=${ROUNDS:-3}
SIZE_MIB=1 # lib.sh's big.bin, not used here
swift build -c release --product bbx > /dev/null
BBX=$PWD/.build/release/bbx
source benchmarks/lib.sh
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token
cd "$work"
mkdir small
for i in $(seq -w 1 "$FILES"); do head -c 2048 /dev/urandom > "small/s-$i.bin"; done

ticks=$(getconf CLK_TCK)
emulator_ms() { awk -v t="$ticks" '{ printf "%d", ($14 + $15) * 1000 / t }' "/proc/$pid/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
clear() { "$BBX" run -e 'delete "*" from bench/app' --jobs 8 > /dev/null; }

# One run: "WALL_MS BBX_CPU_MS EMULATOR_CPU_MS".
measure() {
    local jobs=$1 delay=$2
    clear
    if [ "$delay" -gt 0 ]; then
        curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
            -d "{\"delay_ms\": $delay, \"count\": $FILES, \"method\": \"POST\"}" "$api/_emulator/faults"
    fi
    local before start wall
    before=$(emulator_ms)
    start=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o cpu.txt "$BBX" run -e 'upload "small/*.bin" to bench/app' \
        --jobs "$jobs" --files-per-request 1 > /dev/null
    wall=$((($(date +%s%N) - start) / 1000000))
    curl -sf -o /dev/null -X DELETE "$api/_emulator/faults"
    echo "$wall $(awk '{ printf "%d", ($1 + $2) * 1000 }' cpu.txt) $(($(emulator_ms) - before))"
}

for delay in 0 "$LATENCY_MS"; do
    : > one.txt
    : > eight.txt
    for _ in $(seq 1 "$ROUNDS"); do
        measure 1 "$delay" >> one.txt
        measure 8 "$delay" >> eight.txt
    done
    for jobs in one eight; do
        echo "delay ${delay} ms, --jobs $([ $jobs = one ] && echo 1 || echo 8): wall $(cut -d' ' -f1 $jobs.txt | median) ms," \
            "bbx CPU $(cut -d' ' -f2 $jobs.txt | median) ms, emulator CPU $(cut -d' ' -f3 $jobs.txt | median) ms"
    done
    echo "  --jobs 8 is $(echo "scale=2; $(cut -d' ' -f1 one.txt | median) / $(cut -d' ' -f1 eight.txt | median)" | bc)x --jobs 1"
done
