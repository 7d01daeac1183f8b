#!/usr/bin/env bash
# Benchmark (not a test): `bbx plan` of a prune over 10,000 versioned artifacts, by creation time
# (`keep 5`) and by version (`keep 5 by version`, `keep 1 per minor`), median of ROUNDS runs each,
# against a release `bbx serve`. Results: benchmarks/README.md.
#   benchmarks/prune-by-version.sh
#   ARTIFACTS=1000 ROUNDS=3 benchmarks/prune-by-version.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ARTIFACTS=${ARTIFACTS:-10000}
ROUNDS=${ROUNDS:-5}
if [ -z "${BBX:-}" ]; then
    swift build -c release --scratch-path .build-bench --product bbx > /dev/null
    BBX=$(swift build -c release --scratch-path .build-bench --show-bin-path)/bbx
fi
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$BBX" serve --port 0 --repo bench/app --token bench-token --data "$work/data" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/out" ] && break; sleep 0.1; done
api=$(sed -n 's/.*api=\([^ ]*\).*/\1/p' "$work/out")
[ -n "$api" ] || { echo "bbx serve did not start: $(cat "$work/err")" >&2; exit 1; }
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token

# Versions 1.0.0 … in an order unrelated to creation (a hotfix series uploaded late).
python3 - "$api" "$ARTIFACTS" <<'PY'
import json, sys, urllib.request, random
api, count = sys.argv[1], int(sys.argv[2])
random.seed(7)
for batch in range(0, count, 1000):
    for i in range(batch, min(batch + 1000, count)):
        major, minor, patch = i // 1000, (i // 50) % 20, i % 50
        day = random.randrange(1, 365)
        body = json.dumps({"repo": "bench/app", "name": f"app-{major}.{minor}.{patch}.zip", "size": 100,
                           "created_on": f"2026-01-01T00:00:00.{i % 1000000:06d}+00:00".replace("01-01", f"{1 + day // 31:02d}-{1 + day % 28:02d}")}).encode()
        request = urllib.request.Request(api + "/_emulator/artifacts", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
PY

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() {
    for _ in $(seq 1 "$ROUNDS"); do
        start=$(date +%s.%N)
        "$BBX" plan -e "use bench/app
$1" > "$work/plan.out" 2>&1 || { tail -5 "$work/plan.out" >&2; exit 1; }
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    done | median
}
echo "artifacts: $ARTIFACTS, rounds: $ROUNDS (median seconds of bbx plan, which lists every page)"
for rule in 'prune "app-*.zip" keep 5' 'prune "app-*.zip" keep 5 by version' 'prune "app-*.zip" keep 1 per minor' \
    'prune "app-*.zip" keep 5 by version keep 1 per major older than 30d'; do
    printf '%-70s %s s\n' "$rule" "$(measure "$rule")"
done
grep -c 'delete' "$work/plan.out" | sed 's/^/deletes planned by the last rule: /'
