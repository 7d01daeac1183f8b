#!/usr/bin/env bash
# The release tarball on a bare Linux: a minimal Debian root (mmdebstrap --variant=minbase, with
# ca-certificates only), the tarball unpacked into it, and inside a chroot (with /proc mounted,
# as in any container: Swift reads its arguments from /proc/self/cmdline) bbx --version, check,
# run --sandbox on an example, the REPL fed a statement on standard input, and the pipe's
# entrypoint against a bbx serve started in the chroot. Nothing else is installed in the root.
# Also: `ldd bin/bbx` lists only glibc's libraries, libstdc++ and libgcc_s. Needs root.
#
#   scripts/dist-check.sh [dist/bbx-VERSION-linux-x86_64.tar.xz]
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=${1:-$(ls -t dist/bbx-*-linux-*.tar.xz | head -1)}
name=$(basename "$tarball" .tar.xz)
command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
(cd "$(dirname "$tarball")" && sha256sum -c "$name.tar.xz.sha256" "$name.tar.gz.sha256")

root=$(mktemp -d /tmp/bbx-rootfs-XXXXXX)
cleanup() {
    umount "$root/proc" 2>/dev/null || true
    [ -n "${serve:-}" ] && kill "$serve" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

echo "== ldd: only glibc, libstdc++ and libgcc_s"
tmp=$(mktemp -d)
tar -xJf "$tarball" -C "$tmp"
ldd "$tmp/$name/bin/bbx" | tee "$tmp/ldd"
if grep -vE 'linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libutil|libstdc\+\+|libgcc_s' "$tmp/ldd" | grep -q .; then
    echo "bin/bbx needs libraries beyond glibc, libstdc++ and libgcc_s" >&2
    exit 1
fi
rm -rf "$tmp"

echo "== a minimal Debian"
mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$root" >/dev/null
tar -xJf "$tarball" -C "$root/opt"
mount -t proc proc "$root/proc"
bbx=/opt/$name/bin/bbx
cp -r examples "$root/work"
cp pipe/pipe.sh "$root/work/pipe.sh"
inside() { chroot "$root" /usr/bin/env -i PATH="/opt/$name/bin:/usr/bin:/bin" HOME=/root TMPDIR=/tmp "$@"; }

echo "== bbx --version"
inside "$bbx" --version
echo "== bbx check"
inside sh -c "cd /work && $bbx check *.bbx"
echo "== bbx run --sandbox"
inside sh -c "cd /work && $bbx run release.bbx --sandbox"
echo "== bbx repl, a statement on standard input"
echo 'print "repl works"' | inside sh -c "cd /work && $bbx repl --sandbox" | tee "$root/repl.out"
grep -q "repl works" "$root/repl.out"
echo "== the pipe's entrypoint against bbx serve in the chroot"
inside sh -c "$bbx serve --port 0 --repo acme/app --repo bbx/bbx --token dist-check-token > /tmp/serve.out 2> /tmp/serve.err" &
serve=$!
for _ in $(seq 1 100); do grep -q listening "$root/tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
api=$(sed -n 's/.*api=\([^ ]*\).*/\1/p' "$root/tmp/serve.out")
[ -n "$api" ] || { echo "bbx serve did not start: $(cat "$root/tmp/serve.err")" >&2; exit 1; }
inside sh -c "cd /work && BITBUCKET_URL=$api BITBUCKET_TOKEN=dist-check-token BBX_SCRIPT=release.bbx \
    EXTRA_ARGS='--junit test-results/bbx.xml' DEBUG=true /work/pipe.sh"
test -s "$root/work/test-results/bbx.xml"
echo "== bbx releases itself (scripts/release.bbx), and a download of it checks out"
mkdir -p "$root/self/dist" "$root/self/scripts" "$root/self/fetched"
cp dist/"$name".tar.* "$root/self/dist/"
cp scripts/release.bbx "$root/self/scripts/"
inside sh -c "cd /self && BITBUCKET_URL=$api BITBUCKET_TOKEN=dist-check-token $bbx run scripts/release.bbx --var repo=bbx/bbx"
inside sh -c "cd /self && BITBUCKET_URL=$api BITBUCKET_TOKEN=dist-check-token $bbx run -e 'use bbx/bbx
checksums \"SHA256SUMS\"
download \"*\" to \"fetched/\"
download exact(\"SHA256SUMS\") to \"fetched/\"' && cd fetched && sha256sum -c --strict SHA256SUMS && sha256sum -c $name.tar.xz.sha256"
kill "$serve" 2>/dev/null || true
echo "dist-check: all green on a bare Debian"
