#!/usr/bin/env python3
"""Checks the README's claim that the compiler flags every place a new statement or step kind
must touch.

In a scratch copy of the sources it adds a throwaway `Statement.Kind` case and a throwaway
`Step.Action` / `Step.Kind` case, then builds (with the tests) until the build is clean, putting
a placeholder (`case .throwaway: fatalError()`) at every switch the compiler says is not
exhaustive. It prints each place, and fails if one is in a file that the README's checklists
("Adding a statement kind", "Adding a step kind") do not name, or if the build stops for any
other reason. The builds take many minutes from scratch, so this is run by hand
(`make throwaway-kinds`), not by the test suite.
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each throwaway case, after the line that ends each enum's last case.
INSERTIONS = [
    ("Sources/BBXSyntax/Syntax.swift", "        case verify(VerifyStatement)\n", "        case throwaway(DeleteStatement)\n"),
    ("Sources/BBXPlan/Plan.swift", "        case checksums(ChecksumsUpdate)\n", "        case throwaway(Delete)\n"),
    ("Sources/BBXPlan/Plan.swift", "        case checksums\n", "        case throwaway\n"),
]


def checklists():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    start = text.index("### Adding a statement kind")
    end = text.index("### Adding an API call")
    return text[start:end]


def build(scratch):
    result = subprocess.run(
        ["swift", "build", "--build-tests"], cwd=scratch, capture_output=True, text=True)
    errors = collections.defaultdict(set)
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r"(/[^:]+\.swift):(\d+):\d+: error: (.*)", line)
        if match:
            errors[match.group(1)].add((int(match.group(2)), match.group(3)))
    return result.returncode, errors


def main():
    scratch = tempfile.mkdtemp(prefix="bbx-throwaway-")
    try:
        for name in ["Package.swift", "Sources", "Tests", "benchmarks"]:
            source = os.path.join(ROOT, name)
            target = os.path.join(scratch, name)
            (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, target)
        for path, anchor, added in INSERTIONS:
            full = os.path.join(scratch, path)
            text = open(full, encoding="utf-8").read()
            if anchor not in text:
                sys.exit(f"{path}: '{anchor.strip()}' not found; update this script")
            open(full, "w", encoding="utf-8").write(text.replace(anchor, anchor + added, 1))
        flagged = []
        while True:
            status, errors = build(scratch)
            if status == 0:
                break
            if not errors:
                sys.exit("the build failed without a compiler error; see `swift build` in " + scratch)
            for path, found in errors.items():
                lines = open(path, encoding="utf-8").read().split("\n")
                for number, message in sorted(found, reverse=True):
                    shown = f"{os.path.relpath(path, scratch)}:{number}"
                    if "switch must be exhaustive" not in message:
                        sys.exit(f"{shown}: {message} (not a switch: this script cannot go on)")
                    flagged.append(shown)
                    indent = re.match(r"\s*", lines[number - 1]).group(0)
                    lines.insert(number, indent + "case .throwaway: fatalError()")
                open(path, "w", encoding="utf-8").write("\n".join(lines))
        named = checklists()
        unnamed = sorted({place for place in flagged if os.path.basename(place.split(":")[0]) not in named})
        for place in sorted(flagged):
            print(("  not in the README: " if place in unnamed else "  ") + place)
        print(f"{len(flagged)} places flagged by the compiler in {len({p.split(':')[0] for p in flagged})} files")
        if unnamed:
            sys.exit("the README's checklists do not name every flagged file")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
