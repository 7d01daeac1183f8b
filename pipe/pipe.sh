#!/usr/bin/env bash
# The bbx pipe's entrypoint: maps the pipe's variables to a bbx command line.
#
#   BBX_COMMAND   run (default), plan, verify or doctor
#   BBX_SCRIPT    the script, relative to the clone (needed by run, plan and verify)
#   BBX_VARS      NAME=VALUE lines, each passed as --var NAME=VALUE
#   EXTRA_ARGS    more arguments for bbx, split on spaces (--junit test-results/bbx.xml, --jobs 8)
#   DEBUG         true: print the command line (never a credential) before running it
#
# The credentials bbx reads (BITBUCKET_TOKEN, or BITBUCKET_EMAIL with BITBUCKET_API_TOKEN;
# BBX_SIGNING_KEY and BBX_SIGNING_KEY_PASSWORD; the Connect variables) pass through the
# environment as they are; BITBUCKET_REPO_FULL_NAME, set by Pipelines, is the default repository.
# bbx's exit code is the pipe's: the step fails when the run does.
set -euo pipefail

command="${BBX_COMMAND:-run}"
arguments=()
case "$command" in
    run | plan)
        [ -n "${BBX_SCRIPT:-}" ] || { echo "bbx pipe: BBX_SCRIPT is required for BBX_COMMAND=$command" >&2; exit 64; }
        arguments=("$command" "$BBX_SCRIPT")
        ;;
    verify)
        # verify is a statement: the script's checksums and verify lines, planned and run.
        [ -n "${BBX_SCRIPT:-}" ] || { echo "bbx pipe: BBX_SCRIPT is required for BBX_COMMAND=verify" >&2; exit 64; }
        arguments=(run "$BBX_SCRIPT")
        ;;
    doctor)
        arguments=(doctor)
        [ -n "${BBX_SCRIPT:-}" ] && arguments+=("$BBX_SCRIPT")
        ;;
    *)
        echo "bbx pipe: BBX_COMMAND is '$command'; it takes run, plan, verify or doctor" >&2
        exit 64
        ;;
esac

if [ -n "${BBX_VARS:-}" ] && [ "$command" != doctor ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line%$'\r'}"
        [ -z "${line//[[:space:]]/}" ] && continue
        case "$line" in
            *=*) arguments+=(--var "$line") ;;
            *) echo "bbx pipe: BBX_VARS takes NAME=VALUE lines; found '$line'" >&2; exit 64 ;;
        esac
    done <<< "$BBX_VARS"
fi

if [ -n "${EXTRA_ARGS:-}" ]; then
    read -r -a extra <<< "$EXTRA_ARGS"
    arguments+=("${extra[@]}")
fi

if [ "${DEBUG:-false}" = "true" ]; then
    # Only the command line: variables' values and credentials stay out of the log.
    echo "bbx pipe: bbx ${arguments[*]}" >&2
fi
exec bbx "${arguments[@]}"
