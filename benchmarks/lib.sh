# Shared by the benchmark scripts: a work folder removed on exit, a file of random bytes, and a
# release `bbx serve` on a free loopback port with one repository and one token.
#   BBX        the bbx executable
#   SIZE_MIB   the size of $work/big.bin
#   SERVE_CPU  optional: the CPU list the emulator is pinned to (taskset -c), so that a client
#              measured on the other CPUs does not share its cores with the server
# Sets: work, pid (the emulator's), api, url (the repository's downloads endpoint).

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/big.bin"
${SERVE_CPU:+taskset -c "$SERVE_CPU"} "$BBX" serve --port 0 --repo bench/app --token bench-token --data "$work/data" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/out" ] && break; sleep 0.1; done
api=$(sed -n 's/.*api=\([^ ]*\).*/\1/p' "$work/out")
[ -n "$api" ] || { echo "bbx serve did not start: $(cat "$work/err")" >&2; exit 1; }
url="$api/2.0/repositories/bench/app/downloads"
