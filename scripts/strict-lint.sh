#!/usr/bin/env bash
# Parse every .nf and .config file with Nextflow's strict parser, as Nextflow 26.04 and later
# read them, and fail on any error or warning.
#
# Uses the nf-lang checker beside the project (../shared/tools/strict-lint, or $STRICT_LINT)
# where it exists, else `nextflow lint` of a Nextflow 25.04 or later on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

linter=${STRICT_LINT:-../shared/tools/strict-lint/strict-lint}
if [[ -x "$linter" ]]; then
    report=$("$linter" . 2>&1) || { echo "$report"; exit 1; }
    echo "$report" | grep -E '^(ERROR|WARN)|files:'
    summary=$(tail -1 <<<"$report")
    [[ "$summary" == *" 0 errors, 0 warnings" ]] || { echo "strict syntax: $summary" >&2; exit 1; }
elif nextflow lint -help >/dev/null 2>&1; then
    nextflow lint .
else
    echo "strict-lint: neither $linter nor a Nextflow with 'lint' (25.04 or later) is here" >&2
    exit 1
fi
