#!/usr/bin/env bash
# The linker for `make dist` (swiftc -ld-path): ld.gold with libedit, SQLite and their
# dependencies taken from Debian's .a archives instead of the shared libraries. SwiftPM asks for
# them as -ledit, -lsqlite3, … (from pkg-config and GRDB's manifest), and the toolchain's search
# path finds the .so first; here each becomes -l:libNAME.a, in the arguments and in clang's
# response files, and libmd (libbsd's own dependency, which pkg-config does not list) is added.
set -euo pipefail
static='s/"-l\(edit\|sqlite3\|bsd\|md\|tinfo\|termcap\|z\)"/"-l:lib\1.a"/g; s/^-l\(edit\|sqlite3\|bsd\|md\|tinfo\|termcap\|z\)$/-l:lib\1.a/'
arguments=()
for argument in "$@"; do
    if [[ $argument == @* ]]; then
        file=${argument#@}
        sed "$static" "$file" > "$file.static"
        arguments+=("@$file.static")
    else
        arguments+=("$(printf '%s\n' "$argument" | sed "$static")")
    fi
done
# libedit.a needs libbsd, libtinfo (termcap); libbsd needs libmd: after everything that uses them.
exec /usr/bin/ld.gold "${arguments[@]}" -l:libbsd.a -l:libtinfo.a -l:libmd.a
