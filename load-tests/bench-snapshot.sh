#!/usr/bin/env bash
# Snapshot export / import throughput (issue 7) against `tar | zstd` and `zstd -d | tar -x` on the same stores in
# the same run, the compact size ratio, and the node's block latency before and during an export. See SnapshotBench.
#
#   load-tests/bench-snapshot.sh [--no-build] [--levels N] [--payload BYTES] [--repeat N] [--record] [--keep]
#   load-tests/bench-snapshot.sh [--no-build] --loop DATA_DIR [RUNS]   # SnapshotLoop over a --keep'd data directory
#
# --record appends a dated section to load-tests/RESULTS.md. Needs `tar` and `zstd`. Environment: JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build=1; args=(); main=io.flotilla.loadtests.snapshot.SnapshotBench
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --loop) main=io.flotilla.loadtests.snapshot.SnapshotLoop ;;
    *) args+=("$a") ;;
  esac
done
if [ "$build" = 1 ]; then
  # compile only (never install): in one reactor session the sibling modules resolve to their target/classes;
  # test-compile, not compile, so that node's test-jar dependency on actors resolves within the reactor
  (cd "$root" && mvn -q -o test-compile dependency:build-classpath -pl load-tests -am -Dmdep.outputFile=target/classpath.txt)
fi
CP="$here/target/classes"
for m in pvm persistence actors http-api snapshot-service node; do CP="$CP:$root/$m/target/classes"; done
CP="$CP:$(cat "$here/target/classpath.txt")"
cd "$root"
# shellcheck disable=SC2086
exec java -Xss4m ${JAVA_OPTS:--Xmx3g} -cp "$CP" \
    -Dsnapshotbench.results="$here/RESULTS.md" "$main" "${args[@]}"
