#!/usr/bin/env bash
# Verified releases (issue 18), in one run on one release `bbx serve`:
#   1. a large upload: curl, `bbx run` without checksums, `bbx run` with `checksums` (hashed
#      while sending): wall time and peak resident memory, medians of ROUNDS;
#   2. memory when the other side is slower than bbx: the same upload to an emulator whose
#      reads are slowed (strace delays each read(2) of the emulator), and a download to a slow
#      disk (strace delays each write(2) of bbx): bbx's peak resident memory;
#   3. many small files: FILES files of 1 MiB with `checksums`, grouped (the default) and one
#      request per file (--files-per-request 1, as before grouping): wall time and requests.
# Results: benchmarks/README.md.
#   SIZE_MIB=1024 ROUNDS=3 FILES=200 benchmarks/verified-release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
FILES=${FILES:-200}
DELAY_US=${DELAY_US:-300}
PARTS=${PARTS:-123}   # which of the three parts to run
swift build -c release --product bbx > /dev/null
BBX=$PWD/.build/release/bbx
source benchmarks/lib.sh
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token
cd "$work"

# `time -v` of a command: "SECONDS PEAK_MIB" (a failure stops the script). With CLIENT_CPU,
# the command is pinned to those CPUs (and SERVE_CPU pins the emulator to others).
measure() {
    sync
    /usr/bin/time -v ${CLIENT_CPU:+taskset -c "$CLIENT_CPU"} "$@" > "$work/last.out" 2> "$work/time.err" || {
        cat "$work/last.out" "$work/time.err" >&2
        exit 1
    }
    local wall peak
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.err" | awk -F: '{ print ($1 * 60) + $2 }')
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.err")
    echo "$wall $((peak / 1024))"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
clear() { "$BBX" run -e 'delete "*" from bench/app' --jobs 8 > /dev/null; }
requests() { curl -s "$api/_emulator/requests" | grep -o "\"method\":\"$1\"" | wc -l; }
listings() { curl -s "$api/_emulator/requests" | grep -o '"method":"GET","path":"/2.0/repositories/bench/app/downloads","query":"pagelen=100[^"]*"' | wc -l; }

if [[ $PARTS == *1* ]]; then
echo "1. upload of $SIZE_MIB MiB, $ROUNDS rounds"
: > curl.txt; : > plain.txt; : > sums.txt; : > both.txt
expected=$(sha256sum big.bin | cut -c1-64)
# What a user does without bbx to publish a checksum: hash, then upload (one shell).
hash_then_curl() {
    sha256sum big.bin > /dev/null
    curl -sf -o /dev/null -H "Authorization: Bearer bench-token" -F "files=@big.bin" "$url"
}
export -f hash_then_curl; export url
for round in $(seq 1 "$ROUNDS"); do
    clear
    measure curl -sf -o /dev/null -H "Authorization: Bearer bench-token" -F "files=@big.bin" "$url" >> curl.txt
    clear
    measure "$BBX" run -e 'upload "big.bin" to bench/app on conflict replace' >> plain.txt
    clear
    measure "$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; upload "big.bin" on conflict update' >> sums.txt
    # The manifest names the file with the hash sha256sum computes.
    "$BBX" run -e 'download "SHA256SUMS" from bench/app to "fetched/" on conflict replace' > /dev/null
    grep -q "^$expected  big.bin$" fetched/SHA256SUMS || { echo "the manifest does not hold big.bin's hash" >&2; exit 1; }
    clear
    measure bash -c hash_then_curl >> both.txt
    echo "  round $round: curl $(tail -1 curl.txt), bbx $(tail -1 plain.txt), bbx with checksums $(tail -1 sums.txt), sha256sum then curl $(tail -1 both.txt) (s MiB)"
done
c=$(cut -d' ' -f1 curl.txt | median); p=$(cut -d' ' -f1 plain.txt | median); s=$(cut -d' ' -f1 sums.txt | median)
echo "  medians: curl $c s ($(cut -d' ' -f2 curl.txt | median) MiB), bbx $p s ($(cut -d' ' -f2 plain.txt | median) MiB), bbx with checksums $s s ($(cut -d' ' -f2 sums.txt | median) MiB): $(echo "scale=2; $s / $c" | bc)x curl"
b=$(cut -d' ' -f1 both.txt | median)
echo "  sha256sum then curl $b s: bbx with checksums is $(echo "scale=2; $s / $b" | bc)x that"

fi

if [[ $PARTS == *2* ]]; then
echo "2. the other side slower than bbx (each read or write delayed by $DELAY_US µs)"
# A re-run with `on conflict update` would skip the upload: replace it instead.
"$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; upload "big.bin" on conflict replace' > /dev/null 2>&1 || true
strace -f -qq -e trace=read,readv,recvfrom -e inject=read:delay_exit="$DELAY_US" -p "$pid" 2> /dev/null &
tracer=$!
sleep 1
throttled=$(measure "$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; upload "big.bin" on conflict replace')
kill "$tracer"; wait "$tracer" 2> /dev/null || true
echo "  upload to a throttled server: $throttled (s MiB)"
rm -rf out
slow=$(measure strace -f -qq -o /dev/null -e trace=write,pwrite64 -e inject=write:delay_exit="$DELAY_US" \
    "$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; download "big.bin" to "out/"')
cmp big.bin out/big.bin
echo "  download to a slow disk: $slow (s MiB)"

fi

if [[ $PARTS == *3* ]]; then
echo "3. $FILES files of 1 MiB with checksums"
mkdir -p files
for i in $(seq -w 1 "$FILES"); do head -c $((1 << 20)) /dev/urandom > "files/f-$i.bin"; done
: > grouped.txt; : > single.txt
for round in $(seq 1 "$ROUNDS"); do
    clear
    curl -s -X DELETE "$api/_emulator/requests" > /dev/null
    measure "$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; upload "files/*.bin"' >> grouped.txt
    grouped_requests="$(listings) listing pages, $(requests POST) POSTs, $(requests GET) GETs in all"
    clear
    curl -s -X DELETE "$api/_emulator/requests" > /dev/null
    measure "$BBX" run -e 'use bench/app; checksums "SHA256SUMS"; upload "files/*.bin"' --files-per-request 1 >> single.txt
    single_requests="$(listings) listing pages, $(requests POST) POSTs, $(requests GET) GETs in all"
    echo "  round $round: grouped $(tail -1 grouped.txt) ($grouped_requests); one per request $(tail -1 single.txt) ($single_requests)"
done
echo "  medians: grouped $(cut -d' ' -f1 grouped.txt | median) s, one file per request $(cut -d' ' -f1 single.txt | median) s"
fi
