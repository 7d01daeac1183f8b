#!/usr/bin/env bash
# `make dist`: the release tarball, dist/bbx-VERSION-linux-x86_64.tar.xz (and .tar.gz), each with
# its .sha256.
#
# bin/bbx is built in release mode with the Swift runtime and Foundation linked statically
# (--static-swift-stdlib) and libedit, SQLite and their dependencies (libbsd, libmd, libtinfo,
# zlib) from Debian's .a archives (scripts/static-ld.sh), then stripped: it needs glibc,
# libstdc++ and libgcc_s only,
# which every Debian and Ubuntu image has (libstdc++ is kept dynamic: the Swift runtime's C++
# parts and glibc's own loader expect the system's copy). Beside it: shell completions for bash,
# zsh and fish, the manual page, LICENSE, the notices of every third-party component linked in
# with the exact version built from, and README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^let bbxVersion = "\(.*\)"$/\1/p' Sources/bbx/Version.swift)
[ -n "$VERSION" ] || { echo "no version in Sources/bbx/Version.swift" >&2; exit 1; }
SCRATCH=${SCRATCH:-.build-dist}
name="bbx-$VERSION-linux-$(uname -m)"
out=dist/$name

# A folder of the static archives alone, searched first: -ledit then finds libedit.a.
static="$PWD/$SCRATCH/static-libs"
mkdir -p "$static"
for lib in edit sqlite3 bsd md tinfo termcap z; do
    archive=/usr/lib/$(uname -m)-linux-gnu/lib$lib.a
    [ -f "$archive" ] || { echo "missing $archive (scripts/install-deps.sh installs it)" >&2; exit 1; }
    ln -sf "$archive" "$static/lib$lib.a"
done
swift build -c release --scratch-path "$SCRATCH" --product bbx --static-swift-stdlib \
    -Xswiftc -ld-path="$PWD/scripts/static-ld.sh" -Xlinker -L"$static"
bin=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

rm -rf "$out" "dist/$name.tar.gz" "dist/$name.tar.gz.sha256"
mkdir -p "$out/bin" "$out/share/bash-completion/completions" "$out/share/zsh/site-functions" \
    "$out/share/fish/vendor_completions.d" "$out/share/man/man1" "$out/share/doc/bbx"
cp "$bin/bbx" "$out/bin/bbx"
strip "$out/bin/bbx"
"$out/bin/bbx" --generate-completion-script bash > "$out/share/bash-completion/completions/bbx"
"$out/bin/bbx" --generate-completion-script zsh > "$out/share/zsh/site-functions/_bbx"
"$out/bin/bbx" --generate-completion-script fish > "$out/share/fish/vendor_completions.d/bbx.fish"
python3 scripts/manual.py "$out/bin/bbx" "$VERSION" > "$out/share/man/man1/bbx.1"
cp LICENSE README.md "$out/"
cp docs/guide.md "$out/share/doc/bbx/guide.md"
python3 scripts/notices.py "$SCRATCH" > "$out/THIRD_PARTY_NOTICES.md"

# .tar.xz is the release (about 22 MB); .tar.gz (about 35 MB) for images without xz.
rm -f "dist/$name.tar.xz" "dist/$name.tar.xz.sha256"
tar -C dist -cf - --owner=0 --group=0 --numeric-owner "$name" | xz -9 -T0 > "dist/$name.tar.xz"
tar -C dist -czf "dist/$name.tar.gz" --owner=0 --group=0 --numeric-owner "$name"
(cd dist && sha256sum "$name.tar.xz" > "$name.tar.xz.sha256" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
ls -l "dist/$name.tar.xz" "dist/$name.tar.gz" "$out/bin/bbx" | awk '{print $5, $9}'
echo "dist/$name.tar.gz"
