#!/usr/bin/env python3
"""The manual page bbx(1), from the command's own help (`bbx --experimental-dump-help`), so that
it says what --help says. The release tarball ships it (scripts/dist.sh).

    scripts/manual.py path/to/bbx VERSION > bbx.1
"""
import json
import subprocess
import sys


def roff(text):
    """Text as troff reads it: backslashes doubled, a leading dot or quote escaped."""
    lines = []
    for line in (text or "").replace("\\", "\\\\").split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option(argument):
    names = argument.get("names", [])
    spelled = ", ".join(("-" if n["kind"] == "short" else "--") + n["name"] for n in names)
    if argument["kind"] == "positional":
        spelled = "<" + argument.get("valueName", "value") + ">"
    elif argument["kind"] == "option":
        spelled += " <" + argument.get("valueName", "value") + ">"
    return spelled


def main():
    binary, version = sys.argv[1], sys.argv[2]
    dump = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    command = dump["command"]
    out = [
        f'.TH BBX 1 "" "bbx {version}" "bbx manual"',
        ".SH NAME",
        "bbx \\- " + roff(command.get("abstract", "")),
        ".SH SYNOPSIS",
        ".B bbx",
        ".I command",
        "[options]",
        ".SH DESCRIPTION",
        roff(command.get("discussion", "")),
        ".SH COMMANDS",
    ]
    for sub in command.get("subcommands", []):
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        out += [".SS bbx " + sub["commandName"], roff(sub.get("abstract", ""))]
        if sub.get("discussion"):
            out += [".PP", roff(sub["discussion"])]
        for argument in sub.get("arguments", []):
            if not argument.get("shouldDisplay", True):
                continue
            out += [".TP", "\\fB" + roff(option(argument)) + "\\fR", roff(argument.get("abstract", ""))]
    out += [
        ".SH SEE ALSO",
        "The user's guide: share/doc/bbx/guide.md in the release tarball, docs/guide.md in the source.",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
