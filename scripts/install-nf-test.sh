#!/usr/bin/env bash
# Install nf-test, the test framework of nf-core pipelines, and write PREFIX/bin/nf-test.
#
# Usage: scripts/install-nf-test.sh [PREFIX]   (default .tools)
#
# An nf-test already on the PATH is used as it is; otherwise the official release is
# downloaded from GitHub (this needs internet: no package registry serves nf-test). Other
# official ways work as well: `curl -fsSL https://get.nf-test.com | bash -s 0.9.5` or
# `conda install -c bioconda nf-test=0.9.5`.
set -euo pipefail

NFT_VERSION="${NFT_VERSION:-0.9.5}"
prefix="$(realpath -m "${1:-.tools}")"
home="$prefix/nf-test-$NFT_VERSION"
launcher="$prefix/bin/nf-test"

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
url="https://github.com/askimed/nf-test/releases/download/v$NFT_VERSION/nf-test-$NFT_VERSION.tar.gz"
echo "Downloading nf-test $NFT_VERSION from $url..."
curl -fsSL --retry 2 --connect-timeout 20 --max-time 300 "$url" -o "$work/nf-test.tar.gz" ||
    { echo "Error: could not download nf-test (no internet?); put an nf-test on the PATH instead" >&2; exit 1; }
tar xzf "$work/nf-test.tar.gz" -C "$work"
mkdir -p "$home" "$prefix/bin"
cp "$work/nf-test.jar" "$home/nf-test.jar"

cat > "$launcher" <<LAUNCHER
#!/usr/bin/env bash
# nf-test $NFT_VERSION (written by scripts/install-nf-test.sh).
exec java -jar "$home/nf-test.jar" "\$@"
LAUNCHER
chmod +x "$launcher"
"$launcher" version | grep -q "$NFT_VERSION" || { echo "Error: the installed nf-test does not run" >&2; exit 1; }
echo "nf-test $NFT_VERSION installed: $launcher"
