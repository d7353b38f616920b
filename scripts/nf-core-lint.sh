#!/usr/bin/env bash
# Lint the pipeline with nf-core/tools, offline: only the Python package index is needed, once,
# to create the tools' virtual environment. Exits non-zero when a lint test fails.
#
# Usage: scripts/nf-core-lint.sh [nf-core pipelines lint options, e.g. --markdown lint.md]
#
# The checks that cannot apply outside the nf-core GitHub organisation, or that need the
# network, are switched off in .nf-core.yml, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."

# Nextflow: no plugin downloads, no institutional configs from GitHub.
export NXF_OFFLINE=true
# nf-core/tools: no check for a newer release on nf-co.re, no progress bars in logs.
export NFCORE_NO_VERSION_CHECK=1
export HIDE_PROGRESS=1

NF_CORE_VERSION=4.2.1
venv=".tools/nf-core-venv"

installed="$("$venv/bin/nf-core" --version 2>/dev/null || true)"
if [[ "$installed" != *"version $NF_CORE_VERSION"* ]]; then
    echo "Installing nf-core/tools $NF_CORE_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "nf-core==$NF_CORE_VERSION"
fi

# The lint reads the configuration with `nextflow config`: use the project's Nextflow when
# none is on the PATH (scripts/install-nextflow.sh).
if ! command -v nextflow >/dev/null; then
    scripts/install-nextflow.sh .tools
    export PATH="$PWD/.tools/bin:$PATH"
fi

exec "$venv/bin/nf-core" pipelines lint --dir . "$@"
