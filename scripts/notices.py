#!/usr/bin/env python3
"""THIRD_PARTY_NOTICES.md for the release tarball: every component linked into bin/bbx, with the
exact version it was built from and its licence text, so a release can be rebuilt and shipped
lawfully. Swift packages come from `swift package show-dependencies --format json` and their
checkouts' licence files; the Swift runtime and Foundation from the toolchain; the C libraries
linked statically from Debian's copyright files.

    scripts/notices.py SCRATCH_PATH > THIRD_PARTY_NOTICES.md
"""
import json
import os
import subprocess
import sys

SYSTEM = [
    ("libedit", "libedit2", "line editing for bbx repl"),
    ("SQLite", "libsqlite3-0", "bbx serve's and the sandbox's store"),
    ("libbsd", "libbsd0", "used by libedit"),
    ("libmd", "libmd0", "used by libbsd"),
    ("ncurses (libtinfo)", "libtinfo6", "terminal capabilities for libedit"),
    ("zlib", "zlib1g", "compression"),
]


def licence_text(folder):
    for name in ("LICENSE.txt", "LICENSE", "LICENSE.md", "COPYING", "LICENCE"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, errors="replace") as handle:
                return handle.read().strip()
    return "(no licence file found in the package)"


def debian_version(package):
    result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def main():
    scratch = sys.argv[1]
    tree = json.loads(
        subprocess.run(
            ["swift", "package", "--scratch-path", scratch, "show-dependencies", "--format", "json"],
            check=True, capture_output=True, text=True,
        ).stdout
    )
    packages = {}

    def walk(node):
        for dependency in node.get("dependencies", []):
            packages[dependency["url"]] = dependency
            walk(dependency)

    walk(tree)
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0]
    out = [
        "# Third-party notices",
        "",
        "bin/bbx links these components. Each is listed with the version it was built from and its",
        "licence. bbx itself is under the MIT licence (LICENSE).",
        "",
        "## Swift packages",
        "",
        "| package | version | url |",
        "|---|---|---|",
    ]
    ordered = sorted(packages.values(), key=lambda p: p["identity"])
    for package in ordered:
        out.append(f"| {package['name']} | {package['version']} | {package['url']} |")
    out += ["", "## The Swift runtime and Foundation", "", f"Linked statically from the toolchain: {swift}.",
            "Apache License 2.0 with the Runtime Library Exception (https://swift.org/LICENSE.txt).", "",
            "## C libraries linked statically (Debian's archives)", "", "| library | Debian package | version | used for |",
            "|---|---|---|---|"]
    for library, package, purpose in SYSTEM:
        out.append(f"| {library} | {package} | {debian_version(package)} | {purpose} |")
    out += ["", "## Licence texts", ""]
    for package in ordered:
        out += [f"### {package['name']} {package['version']}", "", "```", licence_text(package["path"]), "```", ""]
    for library, package, _ in SYSTEM:
        path = f"/usr/share/doc/{package}/copyright"
        text = open(path, errors="replace").read().strip() if os.path.isfile(path) else "(not found)"
        out += [f"### {library} ({package} {debian_version(package)})", "", "```", text, "```", ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
