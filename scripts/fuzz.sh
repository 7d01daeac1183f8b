#!/usr/bin/env bash
# Builds bbx's libFuzzer binary (the fuzz/ package) and runs each target for SECONDS (default 60):
#   scripts/fuzz.sh [SECONDS] [TARGET…]      targets: syntax glob listing multipart jwt
# They are built with -sanitize=fuzzer in a build folder of their own (.build-fuzz), so the
# instrumented build never mixes with the ordinary one. Each starts from its committed seed
# corpus (fuzz/corpus/TARGET) and keeps what it discovers in .build-fuzz/corpus/TARGET; a
# failing input is written to .build-fuzz/crashes/ and makes the run exit non-zero. Once the
# bug is fixed, add the input to fuzz/corpus/TARGET: FuzzCorpusTests replays every corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(syntax glob listing multipart jwt)

scratch="$root/.build-fuzz"
flags=(-c release --package-path fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library)
mkdir -p "$scratch/crashes"
# The fuzz package reaches bbx's sources through a path dependency, whose file list SwiftPM's
# cached build plan does not follow: a file moved or removed in bbx broke the next build with
# "missing inputs". Dropping the plan (not the objects) keeps the build incremental and right.
rm -f "$scratch"/release.yaml "$scratch"/*/release/description.json
echo "== building fuzz-bbx" >&2
swift build "${flags[@]}" --product fuzz-bbx >&2
bin="$(swift build "${flags[@]}" --show-bin-path)"

status=0
# libFuzzer must see the abort itself to save the input: no Swift backtracer in between.
export SWIFT_BACKTRACE=enable=no
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    echo "== fuzzing $target for ${seconds}s" >&2
    # Bounded in time, memory and input size; an input slower than 20 s counts as a failure.
    if ! BBX_FUZZ_TARGET="$target" "$bin/fuzz-bbx" "$corpus" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -max_len=65536 \
        -artifact_prefix="$scratch/crashes/$target-" -print_final_stats=1 2>"$scratch/$target.log"; then
        echo "fuzz: $target found a failing input:" >&2
        tail -n 40 "$scratch/$target.log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$scratch/$target.log" | sed "s/^/  $target /" >&2
    fi
done
exit $status
