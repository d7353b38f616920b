#!/usr/bin/env bash
# Install Nextflow without its self-downloading launcher: resolve io.nextflow:nextflow and its
# dependencies from Maven Central with Maven, and write a launcher that runs them with the
# JVM flags Nextflow's own launcher passes on Java 17+.
#
# Usage: scripts/install-nextflow.sh [PREFIX]   (default .tools; the launcher is PREFIX/bin/nextflow)
#
# 24.10.8 is the newest release whose whole dependency tree Maven Central serves: 25.04.x
# needs io.seqera:lib-trace and plugin builds that are not published there.
set -euo pipefail

NXF_VERSION="${NXF_VERSION:-24.10.8}"
prefix="$(realpath -m "${1:-.tools}")"
lib="$prefix/nextflow-$NXF_VERSION/lib"
launcher="$prefix/bin/nextflow"

if [[ -x "$launcher" && -f "$lib/nextflow-$NXF_VERSION.jar" ]]; then
    echo "Nextflow $NXF_VERSION already installed: $launcher"
    exit 0
fi
command -v mvn >/dev/null || { echo "Error: Maven (mvn) is needed to install Nextflow" >&2; exit 1; }
command -v java >/dev/null || { echo "Error: Java 17+ is needed to run Nextflow" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.tdimpute</groupId>
  <artifactId>nextflow-runtime</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.nextflow</groupId>
      <artifactId>nextflow</artifactId>
      <version>$NXF_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
echo "Resolving io.nextflow:nextflow:$NXF_VERSION from Maven Central..."
mvn -B -q -Dstyle.color=never -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$work/lib" -DincludeScope=runtime
rm -rf "$lib" && mkdir -p "$(dirname "$lib")" "$prefix/bin"
mv "$work/lib" "$lib"

cat > "$launcher" <<LAUNCHER
#!/usr/bin/env bash
# Nextflow $NXF_VERSION from Maven Central (written by scripts/install-nextflow.sh).
# Plugins cannot be downloaded offline: runs default to NXF_OFFLINE=true.
export NXF_OFFLINE="\${NXF_OFFLINE:-true}"
export NXF_HOME="\${NXF_HOME:-\$HOME/.nextflow}"
opens=()
for p in java.lang java.io java.nio java.net java.util java.util.concurrent.locks \\
         java.util.concurrent.atomic java.nio.file.spi sun.nio.ch sun.nio.fs \\
         sun.net.www.protocol.http sun.net.www.protocol.https sun.net.www.protocol.ftp \\
         sun.net.www.protocol.file jdk.internal.misc jdk.internal.vm java.util.regex; do
    opens+=("--add-opens=java.base/\$p=ALL-UNNAMED")
done
exec java -Dfile.encoding=UTF-8 -Djava.awt.headless=true "\${opens[@]}" \$NXF_OPTS \\
    -cp "$lib/*" nextflow.cli.Launcher "\$@"
LAUNCHER
chmod +x "$launcher"
"$launcher" -version | grep -q "version $NXF_VERSION" || { echo "Error: the installed Nextflow does not run" >&2; exit 1; }
echo "Nextflow $NXF_VERSION installed: $launcher"
