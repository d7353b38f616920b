#!/usr/bin/env bash
# Install nf-test, the test framework of nf-core pipelines, and write PREFIX/bin/nf-test.
#
# Usage: scripts/install-nf-test.sh [PREFIX]   (default .tools)
#
# In order: an nf-test already on the PATH is used as it is; else the pinned release is built
# with Maven from its source tarball where one lies in ../shared/tools (machines without
# GitHub); else the official release is downloaded from GitHub.
set -euo pipefail

NFT_VERSION="${NFT_VERSION:-0.9.5}"
prefix="$(realpath -m "${1:-.tools}")"
home="$prefix/nf-test-$NFT_VERSION"
launcher="$prefix/bin/nf-test"
source_tarball="$(dirname "$0")/../../shared/tools/nf-test-$NFT_VERSION-src.tar.gz"

if found="$(command -v nf-test)" && [[ "$found" != "$launcher" ]]; then
    echo "nf-test on the PATH: $found"
    exit 0
fi
if [[ -x "$launcher" && -f "$home/nf-test.jar" ]]; then
    echo "nf-test $NFT_VERSION already installed: $launcher"
    exit 0
fi
command -v java >/dev/null || { echo "Error: Java 17+ is needed to run nf-test" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$home" "$prefix/bin"
if [[ -f "$source_tarball" ]]; then
    command -v mvn >/dev/null || { echo "Error: Maven (mvn) is needed to build nf-test" >&2; exit 1; }
    echo "Building nf-test $NFT_VERSION from $(realpath "$source_tarball")..."
    tar xzf "$source_tarball" -C "$work"
    (cd "$work/nf-test-$NFT_VERSION" && mvn -B -q -Dstyle.color=never -DskipTests package)
    cp "$work/nf-test-$NFT_VERSION/target/nf-test-$NFT_VERSION/nf-test.jar" "$home/nf-test.jar"
else
    url="https://github.com/askimed/nf-test/releases/download/v$NFT_VERSION/nf-test-$NFT_VERSION.tar.gz"
    echo "Downloading nf-test $NFT_VERSION from $url..."
    curl -fsSL --retry 3 "$url" | tar xz -C "$work"
    cp "$work/nf-test.jar" "$home/nf-test.jar"
fi

cat > "$launcher" <<LAUNCHER
#!/usr/bin/env bash
# nf-test $NFT_VERSION (written by scripts/install-nf-test.sh).
exec java -jar "$home/nf-test.jar" "\$@"
LAUNCHER
chmod +x "$launcher"
"$launcher" version | grep -q "$NFT_VERSION" || { echo "Error: the installed nf-test does not run" >&2; exit 1; }
echo "nf-test $NFT_VERSION installed: $launcher"
