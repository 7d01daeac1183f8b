#!/usr/bin/env bash
# Installs the Debian packages bbx needs to build and test, only those missing. Quiet when all
# are present, so `make test` can call it every time.
#   libedit-dev, pkg-config  line editing for `bbx repl` (the CEditLine system library)
#   curl, openssl            the emulator's tests drive it with curl, and make a TLS certificate
#   python3                  one test cuts an upload short from a raw socket
#   bsdutils                 script(1): a test runs bbx in a pseudo-terminal
#   tinyproxy                the client's tests reach the emulator through a real HTTP proxy
#   tmux                     the REPL's test drives bbx repl in a real terminal
#   libsqlite3-dev           the emulator keeps its metadata in SQLite (GRDB)
#   minisign                 signed manifests are checked against the real tool, both ways
#   libbsd-dev, libmd-dev,   the .a archives `make dist` links statically (libedit's dependencies)
#   libncurses-dev, zlib1g-dev
#   mmdebstrap, xz-utils     `make dist-check` unpacks the release into a minimal Debian root
set -euo pipefail

packages=(libedit-dev libsqlite3-dev pkg-config curl openssl ca-certificates bsdutils tinyproxy tmux minisign
    libbsd-dev libmd-dev libncurses-dev zlib1g-dev mmdebstrap xz-utils)
command -v python3 >/dev/null 2>&1 || packages+=(python3)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
# The pipelines example is validated with Bitbucket's schema (scripts/validate-pipelines.py).
if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
    echo "installing jsonschema PyYAML" >&2
    python3 -m pip install -q jsonschema PyYAML >/dev/null
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "bbx needs these packages, and this is not a Debian-like system: ${missing[*]}" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
