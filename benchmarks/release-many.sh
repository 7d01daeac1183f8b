#!/usr/bin/env bash
# Many small files: 200 files of 1 MiB uploaded by `bbx run --jobs 4` (and --jobs 1) against a
# loop of curl (one request per file, one after the other), on one release `bbx serve`, in one
# run; then the number of HTTP requests a typical release makes. Results: benchmarks/README.md.
#   FILES=200 FILE_MIB=1 ROUNDS=3 benchmarks/release-many.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-200}
FILE_MIB=${FILE_MIB:-1}
ROUNDS=${ROUNDS:-3}
swift build -c release --product bbx > /dev/null
BBX=$PWD/.build/release/bbx
SIZE_MIB=1
source benchmarks/lib.sh

mkdir -p "$work/files"
for i in $(seq -w 1 "$FILES"); do head -c $((FILE_MIB << 20)) /dev/urandom > "$work/files/f-$i.bin"; done
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token
cd "$work"

# Seconds of wall time of a command (output discarded; a failure stops the script).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
count() { "$BBX" run -e 'print count(artifacts("*", bench/app))' | head -1; }
clear() { "$BBX" run -e 'delete "*" from bench/app' --jobs 8 > /dev/null; }
curl_loop() { for f in files/*.bin; do curl -sf -o /dev/null -H "Authorization: Bearer bench-token" -F "files=@$f" "$url"; done; }
requests() { curl -s "$api/_emulator/requests" | grep -o '"method"' | wc -l; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: > bbx4.txt; : > bbx1.txt; : > curl.txt
for round in $(seq 1 "$ROUNDS"); do
    curl -s -X DELETE "$api/_emulator/requests" > /dev/null
    seconds "$BBX" run -e 'upload "files/*.bin" to bench/app' --jobs 4 >> bbx4.txt
    bbx_requests=$(requests)
    [ "$(count)" = "$FILES" ] || { echo "bbx --jobs 4 stored $(count) files" >&2; exit 1; }
    clear
    seconds "$BBX" run -e 'upload "files/*.bin" to bench/app' --jobs 1 >> bbx1.txt
    clear
    curl -s -X DELETE "$api/_emulator/requests" > /dev/null
    seconds curl_loop >> curl.txt
    curl_requests=$(requests)
    [ "$(count)" = "$FILES" ] || { echo "curl stored $(count) files" >&2; exit 1; }
    clear
    echo "round $round: bbx --jobs 4 $(tail -1 bbx4.txt) s ($bbx_requests requests), bbx --jobs 1 $(tail -1 bbx1.txt) s, curl loop $(tail -1 curl.txt) s ($curl_requests requests)"
done
echo "medians of $ROUNDS rounds, $FILES files of $FILE_MIB MiB:"
echo "  bbx --jobs 4  $(median < bbx4.txt) s"
echo "  bbx --jobs 1  $(median < bbx1.txt) s"
echo "  curl loop     $(median < curl.txt) s"

# A typical release: three files uploaded (one renamed), a prune deleting two older archives.
for minor in 1 2 3; do
    curl -s -X POST "$api/_emulator/artifacts" -H 'Content-Type: application/json' \
        -d "{\"repo\":\"bench/app\",\"name\":\"app-1.$minor.0.tar.gz\",\"size\":100,\"created_on\":\"2026-0$minor-01T00:00:00+00:00\"}" > /dev/null
done
mkdir -p build dist
head -c 1000 /dev/urandom > build/app-linux.zip
head -c 1000 /dev/urandom > build/app-macos.zip
head -c 1000 /dev/urandom > dist/app.tar.gz
cat > release.bbx <<'SCRIPT'
use bench/app
upload "build/*.zip"
upload "dist/app.tar.gz" as "app-1.4.0.tar.gz"
prune "app-*.tar.gz" keep 2
SCRIPT
curl -s -X DELETE "$api/_emulator/requests" > /dev/null
"$BBX" run release.bbx > release.out
echo "a typical release (3 uploads, 2 deletes by prune): $(requests) requests:"
curl -s "$api/_emulator/requests" | tr '{' '\n' | sed -n 's/.*"method":"\([A-Z]*\)".*"path":"\([^"]*\)".*/  \1 \2/p'
