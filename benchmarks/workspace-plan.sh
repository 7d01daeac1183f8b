#!/usr/bin/env bash
# Benchmark (not a test): planning a workspace-wide cleanup, `for r in repositories("bench") {
# prune "nightly-*" in r keep 5 }`, over REPOSITORIES repositories of ARTIFACTS artifacts each,
# against a release `bbx serve`: wall time (median of ROUNDS) and bbx's peak memory, with the
# listings read 4 at a time (the default --jobs) and one at a time (--jobs 1).
# Results: benchmarks/README.md.
#   benchmarks/workspace-plan.sh
#   REPOSITORIES=50 ARTIFACTS=30 ROUNDS=3 benchmarks/workspace-plan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPOSITORIES=${REPOSITORIES:-300}
ARTIFACTS=${ARTIFACTS:-100}
ROUNDS=${ROUNDS:-5}
if [ -z "${BBX:-}" ]; then
    swift build -c release --scratch-path .build-bench --product bbx > /dev/null
    BBX=$(swift build -c release --scratch-path .build-bench --show-bin-path)/bbx
fi
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
repos=()
for i in $(seq 1 "$REPOSITORIES"); do repos+=(--repo "$(printf 'bench/svc-%03d' "$i")"); done
"$BBX" serve --port 0 --token bench-token --data "$work/data" "${repos[@]}" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/out" ] && break; sleep 0.1; done
api=$(sed -n 's/.*api=\([^ ]*\).*/\1/p' "$work/out")
[ -n "$api" ] || { echo "bbx serve did not start: $(cat "$work/err")" >&2; exit 1; }
export BITBUCKET_URL=$api BITBUCKET_TOKEN=bench-token

# Nightly builds a day apart in every repository, seeded a repository at a time.
python3 - "$api" "$REPOSITORIES" "$ARTIFACTS" <<'PY'
import json, sys, urllib.request, datetime
api, repositories, artifacts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
for r in range(1, repositories + 1):
    seeds = [{"repo": f"bench/svc-{r:03d}", "name": f"nightly-{n:04d}.zip", "size": 100,
              "created_on": (start - datetime.timedelta(days=n, microseconds=r)).isoformat()}
             for n in range(artifacts)]
    request = urllib.request.Request(api + "/_emulator/artifacts", data=json.dumps(seeds).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
PY
cat > "$work/cleanup.bbx" <<'BBX'
for r in repositories("bench") {
    prune "nightly-*" in r keep 5
}
BBX

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Prints "seconds peak-KiB" for one dry run.
once() {
    /usr/bin/time -f '%e %M' -o "$work/time" "$BBX" run --dry-run --jobs "$1" "$work/cleanup.bbx" > "$work/plan.out" 2> "$work/plan.err" \
        || { tail -5 "$work/plan.err" >&2; exit 1; }
    cat "$work/time"
}
echo "repositories: $REPOSITORIES × $ARTIFACTS artifacts, rounds: $ROUNDS (bbx run --dry-run: lists every repository)"
for jobs in 4 1; do
    : > "$work/rounds"
    for _ in $(seq 1 "$ROUNDS"); do once "$jobs" >> "$work/rounds"; done
    seconds=$(cut -d' ' -f1 "$work/rounds" | median)
    peak=$(cut -d' ' -f2 "$work/rounds" | sort -n | tail -1)
    printf -- '--jobs %s: %s s (median), peak memory %s MiB\n' "$jobs" "$seconds" "$((peak / 1024))"
done
grep -c '  - delete' "$work/plan.out" | sed 's/^/deletes planned: /'
grep '^Requests:' "$work/plan.out"
