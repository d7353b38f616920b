#!/usr/bin/env bash
# Build the tdimpute image with podman.
#
#   scripts/build-image.sh [cpu|gpu] [--local-base]
#
# --local-base: start from a Debian bookworm base bootstrapped here (debootstrap, then
# podman import) instead of pulling python:3.11-slim-bookworm, for machines that reach
# Debian's and PyPI's package servers but no image registry. PODMAN_OPTIONS passes engine
# options (e.g. "--runtime /usr/sbin/runc" where the default runtime fails). Where pip trusts
# a CA bundle of the host's own (PIP_CERT, e.g. behind a TLS-inspecting proxy), that bundle is
# mounted into the build steps, never copied into the image.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-cpu}
local_base=false
[[ "${2:-}" == "--local-base" || "${1:-}" == "--local-base" ]] && local_base=true
[[ "$flavour" == "--local-base" ]] && flavour=cpu
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' src/tdimpute/__init__.py)
podman=(podman ${PODMAN_OPTIONS:-})
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

case "$flavour" in
    cpu) file=containers/Containerfile; tag="tdimpute/tdimpute:${version}" ;;
    gpu) file=containers/Containerfile.gpu; tag="tdimpute/tdimpute-gpu:${version}" ;;
    *) echo "usage: $0 [cpu|gpu] [--local-base]" >&2; exit 2 ;;
esac

build_args=()
if $local_base; then
    base=localhost/tdimpute-base:bookworm
    if ! "${podman[@]}" image exists "$base"; then
        root=$(mktemp -d)
        trap 'rm -rf "$root"' EXIT
        echo "Bootstrapping Debian bookworm into $root"
        debootstrap --variant=minbase --include=python3,python3-venv,procps,ca-certificates \
            bookworm "$root" http://deb.debian.org/debian >/dev/null
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
        tar -C "$root" -c . | "${podman[@]}" import - "$base"
    fi
    build_args=(--build-arg "BASE=$base")
fi

if [[ -n "${PIP_CERT:-}" && -f "$PIP_CERT" ]]; then
    build_args+=(--volume "$PIP_CERT:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt)
fi

start=$(date +%s)
"${podman[@]}" build "${limits[@]}" --network host "${build_args[@]}" -f "$file" -t "$tag" .
# Each build leaves its build stage and the image the tag moved away from untagged (about 3 GB
# each); only those of this project are removed, so nothing but the layer cache is lost.
"${podman[@]}" image prune -f --filter label=io.tdimpute.stage >/dev/null
echo "Built $tag in $(( $(date +%s) - start )) s; size: $("${podman[@]}" image inspect "$tag" --format '{{.Size}}') bytes"
