#!/usr/bin/env bash
# Parse every .nf and .config file with Nextflow's strict parser, as Nextflow 26.04 and later
# read them, and fail on any error or warning.
#
# Uses the nf-lang checker beside the project (../shared/tools/strict-lint, or $STRICT_LINT)
# where it exists, else `nextflow lint` of a Nextflow 25.04 or later on the PATH, else says in
# one line that it skipped the check.
set -euo pipefail
cd "$(dirname "$0")/.."

linter=${STRICT_LINT:-../shared/tools/strict-lint/strict-lint}
if [[ -x "$linter" ]]; then
    report=$("$linter" . 2>&1) || { echo "$report"; exit 1; }
    echo "$report" | grep -E '^(ERROR|WARN)|files:'
    summary=$(tail -1 <<<"$report")
    [[ "$summary" == *" 0 errors, 0 warnings" ]] || { echo "strict syntax: $summary" >&2; exit 1; }
elif nextflow lint -help >/dev/null 2>&1; then
    report=$(nextflow lint -o concise . 2>&1) || { echo "$report"; exit 1; }
    echo "$report"
    ! grep -qiw 'warn\|warning' <<<"$report" || { echo "strict syntax: warnings above" >&2; exit 1; }
else
    echo "strict-lint: skipped (neither $linter nor a Nextflow 25.04+ with 'nextflow lint' is here)"
fi
