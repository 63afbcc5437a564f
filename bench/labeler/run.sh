#!/usr/bin/env bash
# Labeler benchmark: promotion/demotion latency over repeated failovers between two real brokers, and the
# labeler's start-up time and steady-state RSS with the launcher's JVM flags vs. default JVM flags.
# Usage: bench/labeler/run.sh [failovers=10] [start-up rounds per variant=5] [out=bench/results/labeler.json]
# Prints a table and writes the JSON to out. Builds the labeler module if needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
failovers=${1:-10}
rounds=${2:-5}
out=${3:-bench/results/labeler.json}
target=labeler/target
jar=$target/activemq-ha-labeler.jar

if [ ! -f "$jar" ] || [ ! -d "$target/test-classes" ] \
        || [ -n "$(find labeler/src labeler/pom.xml -newer "$jar" -type f -print -quit)" ]; then
    echo "building the labeler module..."
    mvn -B -ntp -q -pl labeler -DskipTests package
fi
if [ ! -f "$target/bench-classpath.txt" ] || [ labeler/pom.xml -nt "$target/bench-classpath.txt" ]; then
    mvn -B -ntp -q -pl labeler dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$root/$target/bench-classpath.txt"
fi

# Lay the jar out as the image does (launcher and jar side by side) and build its AppCDS archive.
dist=$target/labeler-dist
mkdir -p "$dist"
cp labeler/src/main/sh/labeler "$dist/labeler"
if ! cmp -s "$jar" "$dist/activemq-ha-labeler.jar"; then
    cp "$jar" "$dist/activemq-ha-labeler.jar"
    rm -f "$dist/activemq-ha-labeler.jsa"
fi
if [ ! -s "$dist/activemq-ha-labeler.jsa" ]; then
    HEALTH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') \
        "$dist/labeler" --create-cds-archive
fi

mkdir -p "$(dirname "$out")"
java -cp "$target/test-classes:$target/classes:$(cat "$target/bench-classpath.txt")" \
    io.activemqha.labeler.bench.LabelerBenchmark "$dist/activemq-ha-labeler.jar" "$dist/labeler" \
    "$failovers" "$rounds" "$out"
