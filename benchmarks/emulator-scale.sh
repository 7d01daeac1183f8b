#!/usr/bin/env bash
# `bbx serve` at Bitbucket's scale: 10,000 artifacts in one repository. Measures a listing page,
# a 1 KiB upload's server time, 300 small uploads at --jobs 1 and 8, `bbx plan` of a prune over
# every page, an upload of 6,000 parts with a listing polled beside it, and the emulator's memory
# as artifacts and requests grow. Results: benchmarks/README.md.
#   benchmarks/emulator-scale.sh
#   ARTIFACTS=1000 BBX=/path/to/other/bbx benchmarks/emulator-scale.sh   (compare builds)
set -euo pipefail
cd "$(dirname "$0")/.."
ARTIFACTS=${ARTIFACTS:-10000}
PARTS=${PARTS:-6000}
if [ -z "${BBX:-}" ]; then
    swift build -c release --product bbx > /dev/null
    BBX=$PWD/.build/release/bbx
fi

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# Builds before the request log was bounded had no --request-log-size.
log_size=()
"$BBX" serve --help | grep -q request-log-size && log_size=(--request-log-size 100000)
"$BBX" serve --port 0 --repo bench/app --repo bench/small --repo bench/one --repo bench/eight --token bench-token --data "$work/data" \
    "${log_size[@]}" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/out" ] && break; sleep 0.1; done
api=$(sed -n 's/.*api=\([^ ]*\).*/\1/p' "$work/out")
[ -n "$api" ] || { echo "bbx serve did not start: $(cat "$work/err")" >&2; exit 1; }
app="$api/2.0/repositories/bench/app/downloads"
auth=(-H "Authorization: Bearer bench-token")
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
p90() { sort -n | awk '{ a[NR] = $1 } END { print a[int(NR * 0.9 + 0.5)] }'; }
memory() { awk '/^(VmRSS|VmHWM)/ { printf "%s %d MiB  ", $1, $2 / 1024 }' "/proc/$pid/status"; echo; }
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/last.out" 2>&1 || { tail -5 "$work/last.out" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
# The emulator's own time for requests, from its log lines (`… 201 3ms auth=…`).
server_ms() { grep " $1 " "$work/err" | grep -o ' [0-9]*ms ' | tr -d ' ms'; }

echo "bbx serve idle: $(memory)"

# Seeds: created_on with microseconds and an offset, one second apart, in batches of 1,000.
python3 - "$ARTIFACTS" "$work/seeds" <<'PY'
import json, os, sys
count, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder)
for batch in range(0, count, 1000):
    seeds = [{"repo": "bench/app", "name": f"app-{i}.zip", "size": 16,
              "created_on": f"2026-{1 + i // 250000 % 12:02d}-{1 + i // 10000 % 28:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{(i * 7919) % 1000000:06d}+00:00"}
             for i in range(batch, min(count, batch + 1000))]
    open(f"{folder}/{batch:08d}.json", "w").write(json.dumps(seeds))
PY
start=$(date +%s.%N)
for f in "$work"/seeds/*.json; do
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$f" "$api/_emulator/artifacts"
done
echo "seeded $ARTIFACTS artifacts in $(echo "$(date +%s.%N) - $start" | bc) s; $(memory)"

# A listing page of 100, every page, three times: median and p90 of curl's total time.
: > "$work/pages"
logged=$(wc -l < "$work/err")
pages=$(( (ARTIFACTS + 99) / 100 ))
for _ in 1 2 3; do
    for page in $(seq 1 "$pages"); do
        curl -sf -o /dev/null -w '%{time_total}\n' "${auth[@]}" "$app?pagelen=100&page=$page" >> "$work/pages"
    done
done
listing_ms() { tail -n +"$((logged + 1))" "$work/err" | grep ' GET ' | grep -o ' [0-9]*ms ' | tr -d ' ms'; }
echo "listing page (pagelen 100, $ARTIFACTS artifacts): server median $(listing_ms | median) ms, p90 $(listing_ms | p90) ms; curl median $(median < "$work/pages") s, p90 $(p90 < "$work/pages") s"

# 1 KiB uploads: the emulator's own time (its log) and curl's.
mkdir -p "$work/kib"
for i in $(seq -w 1 100); do head -c 1024 /dev/urandom > "$work/kib/k-$i.bin"; done
: > "$work/uploads"
for f in "$work"/kib/*.bin; do
    curl -sf -o /dev/null -w '%{time_total}\n' "${auth[@]}" -F "files=@$f" "$app" >> "$work/uploads"
done
echo "1 KiB upload: server median $(server_ms 201 | tail -100 | median) ms, p90 $(server_ms 201 | tail -100 | p90) ms; curl median $(median < "$work/uploads") s"

# bbx plan of a prune over every page (the whole listing is read).
cd "$work"
plan=$(seconds "$BBX" plan -e 'prune "*" in bench/app keep 5')
echo "bbx plan 'prune \"*\" keep 5' over $(( ARTIFACTS + 100 )) artifacts: $plan s ($(grep -c '^ *- ' "$work/last.out" || true) deletions planned)"

# 300 small uploads, --jobs 1 and --jobs 8, each into an empty repository of its own (deleting
# 300 files just before creating 300 others makes ext4 search its recently deleted inodes, which
# would charge the second run for the first one's cleanup).
mkdir -p "$work/small"
for i in $(seq -w 1 300); do head -c 2048 /dev/urandom > "$work/small/s-$i.bin"; done
jobs1=$(seconds "$BBX" run -e 'upload "small/*.bin" to bench/one' --jobs 1)
jobs8=$(seconds "$BBX" run -e 'upload "small/*.bin" to bench/eight' --jobs 8)
echo "300 small uploads: --jobs 1 $jobs1 s, --jobs 8 $jobs8 s ($(echo "scale=2; $jobs1 / $jobs8" | bc)x)"

# One upload of $PARTS parts, a listing polled every 50 ms beside it.
python3 - "$PARTS" "$work/parts.body" <<'PY'
import sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "wb") as body:
    for i in range(count):
        body.write(b"--BOUNDARYbbx\r\nContent-Disposition: form-data; name=\"files\"; filename=\"part-%05d.bin\"\r\n"
                   b"Content-Type: application/octet-stream\r\n\r\n" % i)
        body.write(b"x" * 100 + b"\r\n")
    body.write(b"--BOUNDARYbbx--\r\n")
PY
: > "$work/beside"
( while [ ! -e "$work/upload.done" ]; do
      curl -sf -o /dev/null -w '%{time_total}\n' "${auth[@]}" "$api/2.0/repositories/bench/small/downloads?pagelen=1" >> "$work/beside"
      sleep 0.05
  done ) &
poller=$!
start=$(date +%s.%N)
curl -sf -o /dev/null "${auth[@]}" -H 'Content-Type: multipart/form-data; boundary=BOUNDARYbbx' \
    --data-binary "@$work/parts.body" "$app"
upload=$(echo "$(date +%s.%N) - $start" | bc)
touch "$work/upload.done"
wait "$poller"
echo "upload of $PARTS parts: $upload s; listings beside it: $(wc -l < "$work/beside") polled, median $(median < "$work/beside") s, slowest $(sort -n "$work/beside" | tail -1) s"

# Many requests: 20,000 listings over a few connections; memory must not follow.
for _ in $(seq 1 20000); do printf 'url = "%s?pagelen=1"\noutput = "/dev/null"\n' "$app"; done > "$work/many.cfg"
curl -sf "${auth[@]}" -K "$work/many.cfg"
echo "after 20,000 more requests: $(memory)"
